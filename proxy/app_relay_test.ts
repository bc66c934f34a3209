import assert from "node:assert/strict";
import {
  jsonPost,
  routerError,
  testConfig,
  testModel,
  testPeer,
  testProxy,
} from "../tests/proxy_fakes.ts";
import type { RequestObservation, RequestStart } from "./observer.ts";
import type { UpstreamSend } from "./upstream_response.ts";

Deno.test("a failed load answers 500 unspecific error", async () => {
  const proxy = testProxy(testConfig([testModel("m1")]), {
    states: { m1: "stopped" },
  });
  proxy.router.hold = true;

  const pending = proxy.app.request(
    "/v1/chat/completions",
    jsonPost({ model: "m1" }),
  );
  const call = await proxy.router.called();
  call.grant.reject(
    routerError(500, "load_failed", "health check timed out after 2m0s"),
  );
  const res = await pending;

  assert.equal(res.status, 500);
  assert.equal(
    (await res.json()).error.message,
    "unspecific error: health check timed out after 2m0s",
  );
  assert.equal(proxy.upstream.hits.length, 0);
});

Deno.test("an unreachable local upstream answers 502 and releases the lease", async () => {
  const proxy = testProxy(testConfig([testModel("m1")]));
  proxy.upstream.respond = () => {
    throw new TypeError("error sending request: connection refused");
  };

  const res = await proxy.app.request(
    "/v1/chat/completions",
    jsonPost({ model: "m1" }),
  );

  assert.equal(res.status, 502);
  const body = await res.json();
  assert.match(body.error.message, /^upstream connection failed: /);
  assert.equal(body.error.code, "bad_gateway");
  assert.equal(proxy.router.releases, 1);
});

Deno.test("the lease is released exactly once after a streamed answer is read", async () => {
  const proxy = testProxy(testConfig([testModel("m1")]));
  proxy.upstream.respond = () =>
    new Response(streamOf(["data: 1\n\n", "data: [DONE]\n\n"]), {
      headers: { "content-type": "text/event-stream" },
    });

  const res = await proxy.app.request(
    "/v1/chat/completions",
    jsonPost({ model: "m1", stream: true }),
  );
  assert.equal(proxy.router.releases, 0);
  const text = await res.text();

  assert.equal(text, "data: 1\n\ndata: [DONE]\n\n");
  assert.equal(res.headers.get("x-accel-buffering"), "no");
  assert.equal(proxy.router.releases, 1);
});

Deno.test("a client abort mid-stream cancels the upstream and releases the lease once", async () => {
  const proxy = testProxy(testConfig([testModel("m1")]));
  let upstreamCancelled = false;
  proxy.upstream.respond = () =>
    new Response(
      new ReadableStream({
        start(controller) {
          controller.enqueue(new TextEncoder().encode("data: first\n\n"));
        },
        cancel() {
          upstreamCancelled = true;
        },
      }),
      { headers: { "content-type": "text/event-stream" } },
    );
  const client = new AbortController();

  const res = await proxy.app.request("/v1/chat/completions", {
    ...jsonPost({ model: "m1", stream: true }),
    signal: client.signal,
  });
  const reader = res.body!.getReader();
  await reader.read();
  client.abort();
  await reader.cancel();

  assert.equal(proxy.router.releases, 1);
  assert.ok(upstreamCancelled);
  assert.ok(proxy.upstream.last.signal?.aborted);
});

Deno.test("an upstream stream that breaks ends the client's response and releases the lease", async () => {
  const proxy = testProxy(testConfig([testModel("m1")]));
  proxy.upstream.respond = () =>
    new Response(
      new ReadableStream({
        start(controller) {
          controller.enqueue(new TextEncoder().encode("data: partial\n\n"));
          controller.error(new Error("upstream crashed"));
        },
      }),
      { headers: { "content-type": "text/event-stream" } },
    );

  const res = await proxy.app.request(
    "/v1/chat/completions",
    jsonPost({ model: "m1", stream: true }),
  );

  await assert.rejects(res.text(), /upstream crashed/);
  assert.equal(proxy.router.releases, 1);
});

Deno.test("the observer sees the request, the body sent, each chunk and the end", async () => {
  const events: string[] = [];
  let started: RequestStart | null = null;
  const observation: RequestObservation = {
    requestBody: (bytes) =>
      events.push(`body ${new TextDecoder().decode(bytes!)}`),
    responseStarted: (status) => events.push(`status ${status}`),
    chunk: (bytes) => events.push(`chunk ${new TextDecoder().decode(bytes)}`),
    finished: (result) => events.push(`finished ${JSON.stringify(result)}`),
  };
  const proxy = testProxy(
    testConfig([testModel("m1", { useModelName: "big" })]),
    {
      observer: {
        requestStarted(start) {
          started = start;
          return observation;
        },
      },
    },
  );
  proxy.upstream.respond = () => new Response(streamOf(["a", "b"]));

  const res = await proxy.app.request(
    "/v/chat/completions",
    jsonPost({ model: "m1" }, { "x-forwarded-for": "203.0.113.9" }),
  );
  await res.text();

  assert.equal(started!.model, "m1");
  assert.equal(started!.path, "/chat/completions");
  assert.equal(started!.method, "POST");
  assert.equal(started!.remoteIp, "203.0.113.9");
  assert.deepEqual(events, [
    'body {"model":"big"}',
    "status 200",
    "chunk a",
    "chunk b",
    'finished {"status":200}',
  ]);
});

Deno.test("the observer gets the body of a request refused before it went upstream", async () => {
  const bodies: string[] = [];
  const proxy = testProxy(testConfig([testModel("m1")]), {
    observer: {
      requestStarted: () => ({
        requestBody: (bytes) => bodies.push(new TextDecoder().decode(bytes!)),
        responseStarted() {},
        chunk() {},
        finished() {},
      }),
    },
  });
  proxy.router.reject = routerError(429, "concurrency_limit", "busy");

  const unknown = await proxy.app.request(
    "/v1/chat/completions",
    jsonPost({ model: "nope" }),
  );
  const limited = await proxy.app.request(
    "/v1/chat/completions",
    jsonPost({ model: "m1" }),
  );

  assert.deepEqual([unknown.status, limited.status], [404, 429]);
  assert.deepEqual(bodies, ['{"model":"nope"}', '{"model":"m1"}']);
});

Deno.test("an observer's cancel signal aborts the request", async () => {
  const cancel = new AbortController();
  const finished: unknown[] = [];
  const proxy = testProxy(testConfig([testModel("m1")]), {
    observer: {
      requestStarted: () => ({
        signal: cancel.signal,
        requestBody() {},
        responseStarted() {},
        chunk() {},
        finished: (result) => finished.push(result),
      }),
    },
  });
  proxy.upstream.respond = () =>
    new Response(new ReadableStream({ start() {} }), {
      headers: { "content-type": "text/event-stream" },
    });

  const res = await proxy.app.request(
    "/v1/chat/completions",
    jsonPost({ model: "m1" }),
  );
  cancel.abort();

  assert.ok(proxy.upstream.last.signal?.aborted);
  assert.equal(proxy.router.releases, 1);
  assert.deepEqual(finished, [{ status: 200, error: "client went away" }]);
  await res.body!.cancel();
});

Deno.test("a throwing observer never breaks the request", async () => {
  const proxy = testProxy(testConfig([testModel("m1")]), {
    observer: {
      requestStarted() {
        throw new Error("observer bug");
      },
    },
  });

  const res = await proxy.app.request(
    "/v1/chat/completions",
    jsonPost({ model: "m1" }),
  );

  assert.equal(res.status, 200);
  await res.body?.cancel();
  assert.match(proxy.logs.text(), /observer failed/);
});

Deno.test("an upstream error status passes through untouched", async () => {
  const proxy = testProxy(testConfig([testModel("m1")]));
  proxy.upstream.respond = () =>
    Response.json({ error: { message: "context too long" } }, { status: 400 });

  const res = await proxy.app.request(
    "/v1/chat/completions",
    jsonPost({ model: "m1" }),
  );

  assert.equal(res.status, 400);
  assert.deepEqual(await res.json(), {
    error: { message: "context too long" },
  });
  assert.equal(proxy.router.releases, 1);
});

function streamOf(chunks: string[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(encoder.encode(chunk));
      controller.close();
    },
  });
}

Deno.test("a model's and a peer's timeouts.connect and idleConn reach the upstream client", async () => {
  const config = testConfig([
    testModel("m1", {
      timeouts: { ...testModel("m1").timeouts, connect: 45, idleConn: 4 },
    }),
  ], { peers: [testPeer("cloud", ["remote"])] });
  const seen: [string, number | undefined, number | undefined][] = [];
  const send: UpstreamSend = (url, init) => {
    seen.push([url, init.connectTimeoutMs, init.idleConnMs]);
    return Promise.reject(new Error("no connection within 45 s"));
  };
  const proxy = testProxy(config, { send });

  const local = await proxy.app.request(
    "/v1/chat/completions",
    jsonPost({ model: "m1" }),
  );
  const peer = await proxy.app.request(
    "/v1/chat/completions",
    jsonPost({ model: "remote" }),
  );

  assert.equal(local.status, 502);
  assert.equal(peer.status, 502);
  assert.deepEqual(seen, [
    ["http://upstream-m1.test/v1/chat/completions", 45_000, 4_000],
    ["http://peer-cloud.test/v1/chat/completions", 30_000, 90_000],
  ]);
});
