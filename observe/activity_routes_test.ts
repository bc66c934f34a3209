import assert from "node:assert/strict";
import { deferred } from "../lib/mod.ts";
import {
  jsonPost,
  routerError,
  testConfig,
  testModel,
} from "../tests/proxy_fakes.ts";
import { EventReader, observedProxy } from "./test_utils.ts";

const encoder = new TextEncoder();

function sseBody(events: string[]): ReadableStream<Uint8Array> {
  return ReadableStream.from(events.map((event) => encoder.encode(event)));
}

async function activity(
  proxy: ReturnType<typeof observedProxy>,
  query = "",
) {
  const res = await proxy.app.request(`/api/metrics/activity${query}`);
  assert.equal(res.status, 200);
  return await res.json();
}

Deno.test("a non-streamed chat request becomes one activity entry with its usage", async () => {
  using proxy = observedProxy(testConfig([testModel("m1")]));
  proxy.upstream.respond = () => {
    proxy.clock.tick(250);
    return Response.json({
      usage: {
        prompt_tokens: 12,
        completion_tokens: 7,
        prompt_tokens_details: { cached_tokens: 4 },
      },
    });
  };

  const res = await proxy.app.request(
    "/v1/chat/completions",
    jsonPost({ model: "m1" }),
  );
  await res.text();
  const page = await activity(proxy);

  assert.equal(page.total, 1);
  assert.deepEqual(page.data[0], {
    id: 1,
    timestamp: "2026-01-02T03:04:05.000Z",
    model: "m1",
    req_path: "/v1/chat/completions",
    resp_content_type: "application/json",
    resp_status_code: 200,
    tokens: {
      cache_tokens: 4,
      input_tokens: 12,
      output_tokens: 7,
      prompt_per_second: -1,
      tokens_per_second: -1,
      draft_tokens: -1,
      draft_acc_tokens: -1,
    },
    duration_ms: 250,
    ttft_ms: null,
    has_capture: true,
  });
  assert.equal(proxy.observability.inFlight.count(), 0);
});

Deno.test("a streamed chat request records the stream's usage and time to first token", async () => {
  using proxy = observedProxy(testConfig([testModel("m1")]));
  proxy.upstream.respond = () => {
    proxy.clock.tick(120);
    return new Response(
      sseBody([
        'data: {"choices":[{"delta":{"content":"hi"}}]}\n\n',
        'data: {"choices":[],"usage":{"prompt_tokens":15,',
        '"completion_tokens":33}}\n\ndata: [DONE]\n\n',
      ]),
      { headers: { "Content-Type": "text/event-stream" } },
    );
  };

  const res = await proxy.app.request(
    "/v1/chat/completions",
    jsonPost({ model: "m1", stream: true }),
  );
  await res.text();
  const [entry] = (await activity(proxy)).data;

  assert.equal(entry.resp_content_type, "text/event-stream");
  assert.equal(entry.tokens.input_tokens, 15);
  assert.equal(entry.tokens.output_tokens, 33);
  assert.equal(entry.ttft_ms, 120);
  assert.equal(entry.duration_ms, 120);
});

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

Deno.test("a failed request records its status, error_msg and a capture without the response body", async () => {
  using proxy = observedProxy(testConfig([testModel("m1")]));
  proxy.upstream.respond = () =>
    Response.json({ error: { message: "model unavailable" } }, {
      status: 502,
    });

  const res = await proxy.app.request(
    "/v1/chat/completions",
    jsonPost({ model: "m1", messages: [] }),
  );
  await res.text();
  const [entry] = (await activity(proxy)).data;
  const capture = await proxy.app.request(`/api/captures/${entry.id}`);

  assert.equal(entry.resp_status_code, 502);
  assert.equal(entry.error_msg, "model unavailable");
  assert.equal(entry.has_capture, true);
  assert.equal(entry.tokens.input_tokens, 0);
  const json = await capture.json();
  assert.equal(atob(json.req_body), '{"model":"m1","messages":[]}');
  assert.equal(json.resp_headers["Content-Type"], "application/json");
  assert.equal(json.resp_body, null);
});

Deno.test("with captures off an error is recorded without a capture", async () => {
  using proxy = observedProxy(
    testConfig([testModel("m1")], { captureBuffer: 0 }),
  );
  proxy.upstream.respond = () =>
    Response.json({ error: "boom" }, { status: 500 });

  const res = await proxy.app.request(
    "/v1/chat/completions",
    jsonPost({ model: "m1" }),
  );
  await res.text();
  const [entry] = (await activity(proxy)).data;

  assert.equal(entry.error_msg, "boom");
  assert.equal(entry.has_capture, false);
  assert.equal((await proxy.app.request("/api/captures/1")).status, 404);
});

Deno.test("a request the router refuses is recorded with the proxy's error", async () => {
  using proxy = observedProxy(testConfig([testModel("m1")]));
  proxy.router.reject = routerError(
    503,
    "shutting_down",
    "m1 is shutting down",
  );

  const res = await proxy.app.request(
    "/v1/chat/completions",
    jsonPost({ model: "m1" }),
  );
  await res.text();
  const [entry] = (await activity(proxy)).data;

  assert.equal(res.status, 503);
  assert.equal(entry.resp_status_code, 503);
  assert.equal(entry.error_msg, "m1 is shutting down");
  assert.equal(entry.has_capture, false);
});

Deno.test("GET /api/captures/:id answers the capture, 400 for a bad ID and 404 when none is held", async () => {
  using proxy = observedProxy(testConfig([testModel("m1")]));
  proxy.upstream.respond = () => Response.json({ answer: 42 });
  const chat = await proxy.app.request(
    "/v1/chat/completions",
    jsonPost({ model: "m1" }, { "X-Api-Key": "hidden" }),
  );
  await chat.text();

  const held = await proxy.app.request("/api/captures/1");
  const invalid = await proxy.app.request("/api/captures/abc");
  const missing = await proxy.app.request("/api/captures/999");

  assert.equal(held.status, 200);
  const json = await held.json();
  assert.equal(json.id, 1);
  assert.equal(json.req_path, "/v1/chat/completions");
  assert.equal(json.req_headers["X-Api-Key"], "[REDACTED]");
  assert.equal(atob(json.resp_body), '{"answer":42}');
  assert.equal(invalid.status, 400);
  assert.equal((await invalid.json()).error.message, "invalid capture ID");
  assert.equal(missing.status, 404);
  assert.equal((await missing.json()).error.message, "capture not found");
});

Deno.test("GET /api/metrics/activity answers 400 with the reason for bad parameters", async () => {
  using proxy = observedProxy(testConfig([]));

  for (
    const [query, message] of [
      ["min_id=abc", "invalid min_id"],
      ["max_id=0", "max_id must be >= 1"],
      ["min_id=9&max_id=2", "min_id must be <= max_id"],
      ["start=nonsense", "invalid 'start' timestamp, use RFC3339 format"],
      ["end=2026-01-01", "invalid 'end' timestamp, use RFC3339 format"],
      [
        "start=2026-02-01T00:00:00Z&end=2026-01-01T00:00:00Z",
        "start must be before end",
      ],
      ["limit=1000", "limit must be between 1 and 999"],
      ["page=0", "page must be >= 1"],
      ["sort=nope", "invalid sort column"],
      ["order=up", "order must be asc or desc"],
    ]
  ) {
    const res = await proxy.app.request(`/api/metrics/activity?${query}`);

    assert.equal(res.status, 400, query);
    assert.equal((await res.json()).error.message, message, query);
  }
});

Deno.test("GET /api/metrics/activity filters by model and GET /api/metrics/stats sums tokens", async () => {
  using proxy = observedProxy(testConfig([testModel("m1"), testModel("m2")]));
  proxy.upstream.respond = (hit) =>
    Response.json({
      usage: hit.text.includes("m1")
        ? { prompt_tokens: 3, completion_tokens: 4 }
        : { prompt_tokens: 100, completion_tokens: 200 },
    });
  for (const model of ["m1", "m2", "m1"]) {
    const res = await proxy.app.request(
      "/v1/chat/completions",
      jsonPost({ model }),
    );
    await res.text();
  }

  const m1 = await activity(proxy, "?model=m1&limit=10&page=1");
  const stats = await proxy.app.request("/api/metrics/stats?model=m1");
  const all = await proxy.app.request("/api/metrics/stats");

  assert.equal(m1.total, 2);
  assert.deepEqual(m1.data.map((entry: { id: number }) => entry.id), [3, 1]);
  const m1Stats = await stats.json();
  assert.equal(m1Stats.total_requests, 2);
  assert.equal(m1Stats.total_input_tokens, 6);
  assert.equal(m1Stats.total_output_tokens, 8);
  assert.equal((await all.json()).total_requests, 3);
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
  await res.text();
  const missing = await proxy.app.request("/api/inflight/missing/cancel", {
    method: "POST",
  });

  assert.equal(cancel.status, 200);
  assert.deepEqual(await cancel.json(), { msg: "ok" });
  assert.equal(res.status, 499);
  assert.equal(proxy.observability.inFlight.count(), 0);
  assert.equal((await activity(proxy)).data[0].resp_status_code, 499);
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
