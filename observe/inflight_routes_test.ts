import assert from "node:assert/strict";
import { deferred } from "../lib/mod.ts";
import { jsonPost, testConfig, testModel } from "../tests/proxy_fakes.ts";
import { activityPage, EventReader, observedProxy } from "./test_utils.ts";

Deno.test("a request publishes in-flight upserts, its removal, then an activity event", async () => {
  using proxy = observedProxy(testConfig([testModel("m1")]));
  const res = await proxy.app.request("/api/events");
  const events = new EventReader(res.body);
  await events.nextOf("queue");

  const chat = await proxy.app.request(
    "/v1/chat/completions",
    jsonPost({ model: "m1" }, {
      "Authorization": "Bearer secret",
      "X-Forwarded-For": "203.0.113.9, 10.0.0.1",
    }),
  );
  await chat.text();

  const added = await events.nextOf("inflight");
  const started = await events.nextOf("inflight");
  const progressed = await events.nextOf("inflight");
  const removed = await events.nextOf("inflight");
  const recorded = await events.nextOf("activity");
  await events.cancel();
  assert.ok(added.data.operation === "upsert");
  assert.equal(added.data.request.model, "m1");
  assert.equal(added.data.request.req_path, "/v1/chat/completions");
  assert.equal(added.data.request.remote_ip, "203.0.113.9");
  assert.equal(added.data.request.req_headers["Authorization"], "[REDACTED]");
  assert.deepEqual(added.data.request.resp_headers, {});
  assert.ok(started.data.operation === "upsert");
  assert.deepEqual(started.data.request.resp_headers, {
    "Content-Type": "application/json",
  });
  assert.ok(progressed.data.operation === "upsert");
  assert.equal(progressed.data.request.resp_bytes, 11);
  assert.deepEqual(removed.data, {
    operation: "remove",
    id: added.data.request.id,
  });
  assert.deepEqual(recorded.data, { id: 1 });
});

Deno.test("POST /api/inflight/:id/cancel aborts a running request; an unknown ID answers 404", async () => {
  using proxy = observedProxy(testConfig([testModel("m1")]));
  const arrived = deferred<void>();
  proxy.upstream.respond = (hit) =>
    new Promise((_, reject) => {
      hit.signal?.addEventListener("abort", () => reject(hit.signal?.reason));
      arrived.resolve();
    });
  const pending = proxy.app.request(
    "/v1/chat/completions",
    jsonPost({ model: "m1" }),
  );
  await arrived.promise;
  const [running] = proxy.observability.inFlight.list();

  const cancel = await proxy.app.request(
    `/api/inflight/${running!.id}/cancel`,
    { method: "POST" },
  );
  const res = await pending;
  const answer = await res.text();
  const missing = await proxy.app.request("/api/inflight/missing/cancel", {
    method: "POST",
  });

  assert.equal(cancel.status, 200);
  assert.deepEqual(await cancel.json(), { msg: "ok" });
  assert.equal(res.status, 499);
  assert.match(answer, /cancelled through the API/);
  assert.equal(proxy.observability.inFlight.count(), 0);
  const entry = (await activityPage(proxy)).data[0];
  assert.equal(entry?.resp_status_code, 499);
  assert.equal(
    entry?.error_msg,
    `cancelled through the API (in-flight request ${running!.id})`,
  );
  assert.equal(missing.status, 404);
  assert.equal(
    (await missing.json()).error.message,
    "inflight request not found",
  );
});

Deno.test("GET /api/inflight/:id/cancel answers 405", async () => {
  using proxy = observedProxy(testConfig([]));

  const res = await proxy.app.request("/api/inflight/1/cancel");

  assert.equal(res.status, 405);
  assert.equal(res.headers.get("allow"), "POST");
});

Deno.test("an /upstream request to an inference path is in flight under its model, method and inner path; others are not", async () => {
  using proxy = observedProxy(testConfig([testModel("m1")]));
  const cases: [string, string, number][] = [
    ["POST", "/upstream/m1/v1/chat/completions", 1],
    ["GET", "/upstream/m1/props", 1],
    ["POST", "/upstream/m1/probe", 0],
  ];

  for (const [method, path, tracked] of cases) {
    const arrived = deferred<void>();
    const release = deferred<void>();
    proxy.upstream.respond = async () => {
      arrived.resolve();
      await release.promise;
      return Response.json({ ok: true });
    };
    const pending = proxy.app.request(path, { method });
    await arrived.promise;

    const during = proxy.observability.inFlight.list();
    release.resolve();
    await (await pending).text();

    assert.equal(during.length, tracked, path);
    if (tracked) {
      assert.equal(during[0]!.model, "m1");
      assert.equal(during[0]!.method, method);
      assert.equal(during[0]!.req_path, path.slice("/upstream/m1".length));
    }
    assert.equal(proxy.observability.inFlight.count(), 0, path);
  }
});
