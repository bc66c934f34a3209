import assert from "node:assert/strict";
import { fetchThrough, type UpstreamInit } from "./upstream_response.ts";

Deno.test("fetchThrough() sends a bodiless GET through the sender and answers with its status and body", async () => {
  const sent: [string, UpstreamInit][] = [];
  const fetchLike = fetchThrough((url, init) => {
    sent.push([url, init]);
    const body = new TextEncoder().encode("OK");
    return Promise.resolve({
      status: 503,
      statusText: "Service Unavailable",
      headers: new Headers(),
      hasBody: true,
      reader: () => ({
        read: () => Promise.resolve(null),
        cancel: () => Promise.resolve(),
      }),
      bytes: () => Promise.resolve(body),
      cancel: () => Promise.resolve(),
    });
  });
  const controller = new AbortController();

  const response = await fetchLike("http://127.0.0.1:9/health", {
    signal: controller.signal,
  });

  assert.equal(response.status, 503);
  assert.equal(await response.text(), "OK");
  assert.equal(sent.length, 1);
  assert.equal(sent[0]![0], "http://127.0.0.1:9/health");
  assert.equal(sent[0]![1].method, "GET");
  assert.equal(sent[0]![1].body, null);
  assert.equal(sent[0]![1].signal, controller.signal);
});
