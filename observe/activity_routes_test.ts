import assert from "node:assert/strict";
import {
  jsonPost,
  routerError,
  testConfig,
  testModel,
} from "../tests/proxy_fakes.ts";
import { activityPage, observedProxy } from "./test_utils.ts";

const encoder = new TextEncoder();

function sseBody(events: string[]): ReadableStream<Uint8Array> {
  return ReadableStream.from(events.map((event) => encoder.encode(event)));
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
  const page = await activityPage(proxy);

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
    metadata: { fifo_priority: "0" },
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
  const entry = (await activityPage(proxy)).data[0]!;

  assert.equal(entry.resp_content_type, "text/event-stream");
  assert.equal(entry.tokens.input_tokens, 15);
  assert.equal(entry.tokens.output_tokens, 33);
  assert.equal(entry.ttft_ms, 120);
  assert.equal(entry.duration_ms, 120);
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
  const entry = (await activityPage(proxy)).data[0]!;

  assert.equal(res.status, 503);
  assert.equal(entry.resp_status_code, 503);
  assert.equal(entry.resp_content_type, "application/json");
  assert.equal(entry.error_msg, "m1 is shutting down");
  assert.equal(entry.has_capture, true);
  const capture = await (await proxy.app.request(`/api/captures/${entry.id}`))
    .json();
  assert.equal(capture.resp_headers["Content-Type"], "application/json");
  assert.equal(capture.resp_body, null);
});

Deno.test("a request for an unknown model is recorded under the name it asked for", async () => {
  using proxy = observedProxy(testConfig([testModel("m1")]));

  const res = await proxy.app.request(
    "/v1/chat/completions",
    jsonPost({ model: "nope" }),
  );
  await res.text();
  const entry = (await activityPage(proxy)).data[0]!;

  assert.equal(res.status, 404);
  assert.equal(entry.model, "nope");
  assert.equal(entry.resp_status_code, 404);
  assert.equal(entry.error_msg, "no router for requested model");
  assert.equal(proxy.upstream.hits.length, 0);
});

Deno.test("a GET to a model route is in flight but never becomes activity", async () => {
  using proxy = observedProxy(testConfig([testModel("m1")]));
  proxy.upstream.respond = () => Response.json({ voices: ["a"] });

  const get = await proxy.app.request("/v1/audio/voices?model=m1");
  await get.text();
  const post = await proxy.app.request(
    "/v1/chat/completions",
    jsonPost({ model: "m1" }),
  );
  await post.text();
  const page = await activityPage(proxy);

  assert.equal(get.status, 200);
  assert.equal(page.total, 1);
  assert.equal(page.data[0]!.req_path, "/v1/chat/completions");
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

  const m1 = await activityPage(proxy, "?model=m1&limit=10&page=1");
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

Deno.test("a POST to an /upstream inference path becomes activity under the inner path, other /upstream requests do not", async () => {
  using proxy = observedProxy(testConfig([testModel("m1")]));
  proxy.upstream.respond = () =>
    Response.json({ usage: { prompt_tokens: 3, completion_tokens: 5 } });
  const requests: [string, RequestInit][] = [
    ["/upstream/m1/v1/chat/completions", jsonPost({ model: "m1" })],
    ["/upstream/m1/probe", jsonPost({ model: "m1" })],
    ["/upstream/m1/v1/chat/completions", {}],
  ];

  for (const [path, init] of requests) {
    const res = await proxy.app.request(path, init);
    await res.text();
  }
  const page = await activityPage(proxy);

  assert.equal(proxy.upstream.hits.length, 3);
  assert.equal(page.total, 1);
  const entry = page.data[0]!;
  assert.equal(entry.model, "m1");
  assert.equal(entry.req_path, "/v1/chat/completions");
  assert.equal(entry.tokens.input_tokens, 3);
  assert.equal(entry.tokens.output_tokens, 5);
});
