/**
 * Model extraction against generated requests: random JSON, multipart,
 * urlencoded and query bodies through the proxy app (`app.request()`,
 * fake router and upstream). No request may end in a 500 from our own
 * code, and every refusal is a 4xx in the OpenAI error envelope.
 */
import assert from "node:assert/strict";
import { Prng } from "../bench/mod.ts";
import {
  GET_MODEL_PATHS,
  POST_MODEL_PATHS,
} from "../proxy/inference_routes.ts";
import { testConfig, testModel, testProxy } from "./proxy_fakes.ts";

const NAMES = [
  "m1",
  "org/model:q4",
  "chat",
  "M1",
  "",
  " m1",
  "m1\n",
  "nope",
  "../m1",
  "m1/../m1",
  "ünï",
  "%6d1",
  "a".repeat(300),
];
const CONTENT_TYPES = [
  "application/json",
  "application/json; charset=utf-8",
  "text/plain",
  "application/x-www-form-urlencoded",
  "multipart/form-data; boundary=XyZ",
  "multipart/form-data",
  "multipart/form-data; boundary=",
  "application/octet-stream",
  "",
  "application/json; boundary=x",
];

function config() {
  return testConfig([
    testModel("m1"),
    testModel("org/model:q4", {
      aliases: ["chat"],
      proxy: "http://upstream-org.test",
    }),
  ]);
}

/** A random JSON-ish value, sometimes with a `model` field. */
function randomJson(prng: Prng, depth: number): unknown {
  switch (prng.int(depth > 0 ? 7 : 5)) {
    case 0:
      return prng.pick(NAMES);
    case 1:
      return prng.int(1000) - 500;
    case 2:
      return prng.chance(0.5);
    case 3:
      return null;
    case 4:
      return prng.next();
    case 5:
      return Array.from(
        { length: prng.int(3) },
        () => randomJson(prng, depth - 1),
      );
    default: {
      const value: Record<string, unknown> = {};
      for (let i = prng.int(4); i > 0; i--) {
        const key = prng.pick(["model", "stream", "messages", "input", "x"]);
        value[key] = randomJson(prng, depth - 1);
      }
      return value;
    }
  }
}

function jsonBody(prng: Prng): string {
  const top: Record<string, unknown> = {};
  if (prng.chance(0.8)) {
    top["model"] = randomJson(prng, prng.chance(0.7) ? 0 : 2);
  }
  if (prng.chance(0.5)) top["stream"] = randomJson(prng, 0);
  if (prng.chance(0.5)) top["messages"] = randomJson(prng, 2);
  const text = prng.chance(0.1)
    ? JSON.stringify(randomJson(prng, 2))
    : JSON.stringify(top);
  return prng.chance(0.15) ? text.slice(0, prng.int(text.length + 1)) : text;
}

function multipartBody(prng: Prng): string {
  const boundary = prng.chance(0.8) ? "XyZ" : "other";
  const parts: string[] = [];
  for (let i = prng.int(4); i > 0; i--) {
    const name = prng.pick(["model", "file", "stream", "prompt"]);
    const filename = prng.chance(0.3) ? '; filename="a.wav"' : "";
    parts.push(
      `--${boundary}\r\nContent-Disposition: form-data; name="${name}"${filename}\r\n\r\n${
        prng.pick(NAMES)
      }\r\n`,
    );
  }
  const end = prng.chance(0.8) ? `--${boundary}--\r\n` : "";
  const text = parts.join("") + end;
  return prng.chance(0.1) ? text.slice(0, prng.int(text.length + 1)) : text;
}

function formBody(prng: Prng): string {
  const pairs: string[] = [];
  for (let i = prng.int(4); i > 0; i--) {
    const key = prng.pick(["model", "stream", "x", "%zz", "model[]"]);
    pairs.push(`${key}=${encodeURIComponent(prng.pick(NAMES))}`);
  }
  if (prng.chance(0.2)) pairs.push(prng.pick(["%", "=&=", "model=%E0%A4%A"]));
  return pairs.join("&");
}

function randomRequest(prng: Prng): { path: string; init: RequestInit } {
  const query = prng.chance(0.3)
    ? `?model=${encodeURIComponent(prng.pick(NAMES))}`
    : prng.chance(0.1)
    ? "?model=%ZZ"
    : "";
  if (prng.chance(0.1)) {
    return { path: `${prng.pick(GET_MODEL_PATHS)}${query}`, init: {} };
  }
  const kind = prng.int(4);
  const body = kind === 0
    ? jsonBody(prng)
    : kind === 1
    ? multipartBody(prng)
    : kind === 2
    ? formBody(prng)
    : String.fromCharCode(
      ...Array.from({ length: prng.int(40) }, () => prng.int(256)),
    );
  const contentType = prng.chance(0.7)
    ? CONTENT_TYPES[[0, 4, 3, 7][kind]!]!
    : prng.pick(CONTENT_TYPES);
  return {
    path: `${prng.pick(POST_MODEL_PATHS)}${query}`,
    init: {
      method: "POST",
      headers: contentType === "" ? {} : { "Content-Type": contentType },
      body,
    },
  };
}

Deno.test("3,000 random inference requests get an answer or a 4xx in the error envelope, never a 500", async () => {
  const prng = new Prng(5000);
  const proxy = testProxy(config());
  const statuses = new Map<number, number>();

  for (let i = 0; i < 3000; i++) {
    const { path, init } = randomRequest(prng);
    const response = await proxy.app.request(path, init);
    const text = await response.text();
    statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);

    const where = `request ${i}: ${init.method ?? "GET"} ${path} ${
      JSON.stringify(String(init.body ?? "").slice(0, 120))
    } -> ${response.status} ${text.slice(0, 200)}`;
    assert.ok(response.status < 500, where);
    if (response.status >= 400) {
      const body = JSON.parse(text) as { error?: { message?: unknown } };
      assert.equal(typeof body.error?.message, "string", where);
    }
  }

  const logs = proxy.logs.text();
  assert.doesNotMatch(logs, /unexpectedly/);
  assert.ok((statuses.get(200) ?? 0) > 0, "nothing was forwarded");
  assert.ok((statuses.get(400) ?? 0) > 0, "nothing was refused with 400");
  assert.equal(proxy.router.releases, proxy.router.calls.length);
});
