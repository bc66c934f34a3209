import assert from "node:assert/strict";
import { Cancelled } from "../lib/mod.ts";
import { FakeClock } from "../tests/fake_clock.ts";
import {
  jsonPost,
  routerError,
  testConfig,
  testModel,
  testProxy,
} from "../tests/proxy_fakes.ts";

const UPSTREAM_SSE = 'data: {"choices":[{"delta":{"content":"Hi"}}]}\n\n' +
  "data: [DONE]\n\n";

function loadingProxy(
  format: "reasoning" | "comment" = "reasoning",
  loadTimes?: Record<string, number>,
) {
  const clock = new FakeClock();
  const config = testConfig([
    testModel("m1", { sendLoadingState: true, loadingStateFormat: format }),
  ]);
  const proxy = testProxy(config, {
    clock,
    states: { m1: "stopped" },
    ...(loadTimes
      ? { loadTimes: { expectedMs: (model) => loadTimes[model] ?? null } }
      : {}),
  });
  proxy.router.hold = true;
  proxy.upstream.respond = () =>
    new Response(UPSTREAM_SSE, {
      headers: { "content-type": "text/event-stream" },
    });
  return { ...proxy, clock };
}

/** Grants m1 to the next request that asks the router. */
async function grantNext(proxy: ReturnType<typeof loadingProxy>) {
  (await proxy.router.called()).grant.resolve({
    model: "m1",
    priority: 0,
    release() {},
  });
}

/** The reasoning text of every `data:` event that carries some. */
function reasoningOf(text: string): string {
  let out = "";
  for (const line of text.split("\n")) {
    if (!line.startsWith("data: {")) continue;
    const event = JSON.parse(line.slice(6));
    out += event.choices?.[0]?.delta?.reasoning_content ?? "";
  }
  return out;
}

async function readRest(
  reader: ReadableStreamDefaultReader<Uint8Array>,
): Promise<string> {
  const decoder = new TextDecoder();
  let text = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return text + decoder.decode();
    text += decoder.decode(value, { stream: true });
  }
}

Deno.test("a streaming chat to a cold model gets loading text, then the upstream's bytes", async () => {
  const proxy = loadingProxy();

  const res = await proxy.app.request(
    "/v1/chat/completions",
    jsonPost({ model: "m1", stream: true }),
  );
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("content-type"), "text/event-stream");
  assert.equal(res.headers.get("cache-control"), "no-cache");
  assert.equal(res.headers.get("x-accel-buffering"), "no");
  const reader = res.body!.getReader();
  const first = new TextDecoder().decode((await reader.read()).value);
  assert.match(first, /^data: /);

  proxy.router.grantHeld();
  const text = first + await readRest(reader);

  const reasoning = reasoningOf(text);
  assert.match(reasoning, /llama-swap loading model: m1\n/);
  assert.match(reasoning, /Done! \(\d+\.\d\ds\)/);
  assert.ok(text.endsWith(UPSTREAM_SSE), text);
  assert.equal(proxy.router.releases, 1);
});

Deno.test("queue positions from the router appear in the loading text", async () => {
  const proxy = loadingProxy();

  const res = await proxy.app.request(
    "/v1/chat/completions",
    jsonPost({ model: "m1", stream: true }),
  );
  proxy.router.calls[0]!.onQueuePosition!(2);
  proxy.clock.tick(750);
  proxy.router.grantHeld();
  const text = await res.text();

  assert.match(reasoningOf(text), /Queue position: #2/);
});

Deno.test("the loading text estimates progress from the model's usual load time, when known", async () => {
  for (const known of [true, false]) {
    const proxy = loadingProxy("reasoning", known ? { m1: 12_000 } : {});

    const res = await proxy.app.request(
      "/v1/chat/completions",
      jsonPost({ model: "m1", stream: true }),
    );
    for (let elapsed = 0; elapsed < 6_000; elapsed += 250) {
      proxy.clock.tick(250);
    }
    proxy.router.grantHeld();
    const reasoning = reasoningOf(await res.text());

    const figures = [
      ...reasoning.matchAll(/Loading ~(\d+)% \(usually takes 12\.0s\)/g),
    ];
    if (known) {
      // The first figure 3 s in (25%); later ones (3 s or more apart,
      // remarks coming first) grow.
      const percents = figures.map((m) => Number(m[1]));
      assert.equal(percents[0], 25, reasoning);
      assert.deepEqual(percents, [...percents].sort((a, b) => a - b));
    } else {
      assert.deepEqual(figures, [], reasoning);
      assert.doesNotMatch(reasoning, /Loading ~/);
    }
  }
});

Deno.test("a request that leaves the queue gets the progress estimate, counted from then", async () => {
  const proxy = loadingProxy("reasoning", { m1: 12_000 });

  const res = await proxy.app.request(
    "/v1/chat/completions",
    jsonPost({ model: "m1", stream: true }),
  );
  proxy.router.calls[0]!.onQueuePosition!(1);
  for (let elapsed = 0; elapsed < 4_000; elapsed += 250) proxy.clock.tick(250);
  proxy.router.calls[0]!.onQueuePosition!(null);
  for (let elapsed = 0; elapsed < 6_000; elapsed += 250) proxy.clock.tick(250);
  proxy.router.grantHeld();
  const reasoning = reasoningOf(await res.text());

  assert.match(reasoning, /Queue position: #1/);
  const figures = [
    ...reasoning.matchAll(/Loading ~(\d+)% \(usually takes 12\.0s\)/g),
  ].map((m) => Number(m[1]));
  // At the first tick 3 s or more after leaving the queue (3.5 s: 29%),
  // not 7.5 s after the request came (62%).
  assert.equal(figures[0], 29, reasoning);
});

Deno.test("a request cancelled through the API while its model loads gets an error event, recorded as the 200 it was answered", async () => {
  const cancel = new AbortController();
  const finished: unknown[] = [];
  const config = testConfig([
    testModel("m1", { sendLoadingState: true }),
  ]);
  const proxy = testProxy(config, {
    clock: new FakeClock(),
    states: { m1: "stopped" },
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
  proxy.router.hold = true;

  const res = await proxy.app.request(
    "/v1/chat/completions",
    jsonPost({ model: "m1", stream: true }),
  );
  cancel.abort(
    new Cancelled("cancelled through the API (in-flight request 1)"),
  );
  const text = await res.text();

  assert.equal(res.status, 200);
  assert.match(text, /"message":"client went away"/);
  assert.ok(text.endsWith("data: [DONE]\n\n"), text);
  assert.deepEqual(finished, [{ status: 200, error: "client went away" }]);
});

Deno.test("a failed load ends the loading stream with an SSE error event and [DONE]", async () => {
  const proxy = loadingProxy();

  const res = await proxy.app.request(
    "/v1/chat/completions",
    jsonPost({ model: "m1", stream: true }),
  );
  proxy.router.calls[0]!.grant.reject(
    routerError(500, "load_failed", "upstream command exited prematurely"),
  );
  const text = await res.text();

  assert.equal(res.status, 200);
  const events = text.split("\n\n").filter((e) => e !== "");
  assert.equal(events.at(-1), "data: [DONE]");
  const error = JSON.parse(events.at(-2)!.slice("data: ".length));
  assert.deepEqual(error, {
    error: {
      message: "unspecific error: upstream command exited prematurely",
      type: "server_error",
      param: null,
      code: "internal_error",
    },
  });
  assert.equal(proxy.upstream.hits.length, 0);
});

Deno.test("an upstream error answer after the load becomes an in-band error event", async () => {
  const proxy = loadingProxy();
  proxy.upstream.respond = () =>
    Response.json({ error: { message: "context too long" } }, { status: 400 });

  const res = await proxy.app.request(
    "/v1/chat/completions",
    jsonPost({ model: "m1", stream: true }),
  );
  proxy.router.grantHeld();
  const text = await res.text();

  // The load itself succeeded: its text ends as usual.
  assert.match(reasoningOf(text), /\nDone! \(\d+\.\d\ds\)\n/);
  assert.doesNotMatch(reasoningOf(text), /Loading failed/);
  assert.match(text, /"message":"context too long"/);
  assert.match(text, /"code":"bad_request"/);
  assert.ok(text.endsWith("data: [DONE]\n\n"));
  assert.equal(proxy.router.releases, 1);
});

Deno.test("an unreachable upstream after the load becomes an in-band 502 event", async () => {
  const proxy = loadingProxy();
  proxy.upstream.respond = () => {
    throw new TypeError("connection refused");
  };

  const res = await proxy.app.request(
    "/v1/chat/completions",
    jsonPost({ model: "m1", stream: true }),
  );
  proxy.router.grantHeld();
  const text = await res.text();

  assert.match(reasoningOf(text), /\nDone! \(\d+\.\d\ds\)\n/);
  assert.match(text, /upstream connection failed: connection refused/);
  assert.match(text, /"code":"bad_gateway"/);
  assert.equal(proxy.router.releases, 1);
});

Deno.test("a 429 comes before any loading byte", async () => {
  const proxy = loadingProxy();
  proxy.router.reject = routerError(
    429,
    "concurrency_limit",
    "Too many requests",
    1,
  );

  const res = await proxy.app.request(
    "/v1/chat/completions",
    jsonPost({ model: "m1", stream: true }),
  );

  assert.equal(res.status, 429);
  assert.equal(res.headers.get("retry-after"), "1");
  const text = await res.text();
  assert.doesNotMatch(text, /loading model/);
  assert.equal(JSON.parse(text).error.code, "concurrency_limit");
});

Deno.test("a non-streaming request to a cold model waits silently", async () => {
  const proxy = loadingProxy();
  proxy.upstream.respond = () => Response.json({ ok: true });

  const pending = proxy.app.request(
    "/v1/chat/completions",
    jsonPost({ model: "m1" }),
  );
  await grantNext(proxy);
  const res = await pending;

  assert.equal(res.headers.get("content-type"), "application/json");
  assert.deepEqual(await res.json(), { ok: true });
});

Deno.test("streaming paths other than chat completions get no loading text", async () => {
  const proxy = loadingProxy();

  const pending = proxy.app.request(
    "/v1/completions",
    jsonPost({ model: "m1", stream: true }),
  );
  await grantNext(proxy);
  const text = await (await pending).text();

  assert.equal(text, UPSTREAM_SSE);
});

Deno.test("/upstream gets loading text for a chat that asks for a stream in its query", async () => {
  const proxy = loadingProxy();

  const res = await proxy.app.request(
    "/upstream/m1/v1/chat/completions?stream=true",
    jsonPost({ model: "m1", stream: true }),
  );
  const reader = res.body!.getReader();
  const first = new TextDecoder().decode((await reader.read()).value);
  proxy.router.grantHeld();
  const text = first + await readRest(reader);

  assert.equal(res.headers.get("content-type"), "text/event-stream");
  assert.match(reasoningOf(text), /llama-swap loading model: m1\n/);
  assert.ok(text.endsWith(UPSTREAM_SSE));
});

Deno.test("/upstream without stream=true in its query waits silently", async () => {
  const proxy = loadingProxy();

  const pending = proxy.app.request(
    "/upstream/m1/v1/chat/completions",
    jsonPost({ model: "m1", stream: true }),
  );
  await grantNext(proxy);
  const text = await (await pending).text();

  assert.equal(text, UPSTREAM_SSE);
});

Deno.test("the comment format sends the loading text as SSE comments", async () => {
  const proxy = loadingProxy("comment");

  const res = await proxy.app.request(
    "/v1/chat/completions",
    jsonPost({ model: "m1", stream: true }),
  );
  proxy.router.grantHeld();
  const text = await res.text();

  const loading = text.slice(0, text.length - UPSTREAM_SSE.length);
  assert.match(loading, /^: /);
  assert.match(loading, /llama-swap loading model: m1/);
  assert.doesNotMatch(loading, /reasoning_content/);
  assert.ok(text.endsWith(UPSTREAM_SSE));
});

Deno.test("a client leaving during the load withdraws the request and stops the stream", async () => {
  const proxy = loadingProxy();
  const client = new AbortController();

  const res = await proxy.app.request("/v1/chat/completions", {
    ...jsonPost({ model: "m1", stream: true }),
    signal: client.signal,
  });
  const reader = res.body!.getReader();
  await reader.read();
  client.abort();
  await reader.cancel();

  assert.ok(proxy.router.calls[0]!.signal.aborted);
  assert.equal(proxy.upstream.hits.length, 0);
  assert.equal(proxy.clock.pendingTimers, 0);
});
