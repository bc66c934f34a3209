import { deepStrictEqual, match, ok, strictEqual } from "node:assert/strict";
import type { ModelConfig } from "../config/mod.ts";
import { LogBuffer, Logger } from "../log/mod.ts";
import { Http1Pool, sendThrough, sendWithFetch } from "../proxy/mod.ts";
import { FakeClock } from "../tests/fake_clock.ts";
import { freePortRange } from "../tests/free_ports.ts";
import { testModelConfig } from "../tests/model_config.ts";
import { FakeRouter, FakeUpstream, routerError } from "../tests/proxy_fakes.ts";
import type { RouterNotice } from "../router/mod.ts";
import { preloadModels, type PreloadOptions } from "./preload.ts";

function models(
  proxies: Record<string, string>,
  overrides: Partial<ModelConfig> = {},
): Record<string, ModelConfig> {
  return Object.fromEntries(
    Object.entries(proxies).map((
      [id, proxy],
    ) => [id, testModelConfig(id, { proxy, ...overrides })]),
  );
}

function setup(overrides: Partial<ModelConfig> = {}) {
  const router = new FakeRouter();
  const upstream = new FakeUpstream();
  const lines = new LogBuffer();
  const clock = new FakeClock();
  const stop = new AbortController();
  const options: PreloadOptions = {
    logger: new Logger(lines, { level: "debug", clock }),
    signal: stop.signal,
    reason: "preload",
    clock,
    upstream: {
      send: sendWithFetch(upstream.fetch),
      models: models({
        a: "http://127.0.0.1:9001",
        b: "http://127.0.0.1:9002/base/",
      }, overrides),
    },
  };
  return { router, upstream, lines, clock, stop, options };
}

/** Resolves once `signal` aborts. */
function aborted(signal: AbortSignal | null): Promise<never> {
  return new Promise((_resolve, reject) => {
    signal?.addEventListener("abort", () => reject(signal.reason));
  });
}

Deno.test("preloadModels() sends each model a GET / under its lease, one after another", async () => {
  const { router, upstream, lines, options } = setup();
  const leasesHeld: number[] = [];
  upstream.respond = () => {
    leasesHeld.push(router.calls.filter((c) => c.releases === 0).length);
    return new Response("<html>".repeat(10_000));
  };

  const results = await preloadModels(router, ["a", "b"], options);

  deepStrictEqual(results, [
    { model: "a", success: true },
    { model: "b", success: true },
  ]);
  deepStrictEqual(
    upstream.hits.map((hit) => [hit.method, hit.url]),
    [["GET", "http://127.0.0.1:9001/"], ["GET", "http://127.0.0.1:9002/base/"]],
  );
  deepStrictEqual(leasesHeld, [1, 1]);
  deepStrictEqual(router.calls.map((call) => call.releases), [1, 1]);
  match(lines.text(), /INFO\] preload: model preloaded model=a status=200/);
  match(lines.text(), /INFO\] preload: model preloaded model=b status=200/);
});

Deno.test("preloadModels() counts a status of 400 or more as a failure and goes on", async () => {
  const { router, upstream, lines, options } = setup();
  upstream.respond = (hit) =>
    new Response("no page", { status: hit.url.includes("9001") ? 404 : 302 });

  const results = await preloadModels(router, ["a", "b"], options);

  deepStrictEqual(results, [
    { model: "a", success: false },
    { model: "b", success: true },
  ]);
  match(
    lines.text(),
    /WARN\] preload: model preload failed model=a status=404/,
  );
  match(lines.text(), /INFO\] preload: model preloaded model=b status=302/);
  strictEqual(router.releases, 2);
});

Deno.test("preloadModels() logs a model that cannot be loaded and sends it nothing", async () => {
  const { router, upstream, lines, options } = setup();
  router.reject = routerError(500, "load_failed", "Cannot start model");

  const results = await preloadModels(router, ["a"], options);

  deepStrictEqual(results, [{ model: "a", success: false }]);
  strictEqual(upstream.hits.length, 0);
  match(
    lines.text(),
    /WARN\] preload: model preload failed model=a error="Cannot start model"/,
  );
});

Deno.test("preloadModels() gives up a GET / that gets no headers within timeouts.responseHeader", async () => {
  const { clock, router, upstream, lines, options } = setup({
    timeouts: { ...testModelConfig("x").timeouts, responseHeader: 2 },
  });
  const sent = Promise.withResolvers<void>();
  upstream.respond = (hit) => {
    sent.resolve();
    return aborted(hit.signal);
  };

  const preloading = preloadModels(router, ["a"], options);
  await sent.promise;
  clock.tick(2000);
  const results = await preloading;

  deepStrictEqual(results, [{ model: "a", success: false }]);
  strictEqual(router.releases, 1);
  match(lines.text(), /model preload failed model=a error=.*within 2s/);
  strictEqual(clock.pendingTimers, 0);
});

Deno.test("preloadModels() stops at an abort, releasing the lease of the model under way", async () => {
  const { router, upstream, lines, options, stop } = setup();
  const sent = Promise.withResolvers<void>();
  upstream.respond = (hit) => {
    sent.resolve();
    return aborted(hit.signal);
  };

  const preloading = preloadModels(router, ["a", "b"], options);
  await sent.promise;
  stop.abort(new Error("shutting down"));
  const results = await preloading;

  deepStrictEqual(results, []);
  deepStrictEqual(router.calls.map((call) => call.model), ["a"]);
  strictEqual(router.releases, 1);
  ok(!lines.text().includes("WARN"), lines.text());
});

Deno.test("preloadModels() without an upstream releases each lease unused", async () => {
  const { router, upstream, lines, options } = setup();
  const { upstream: _, ...restart } = options;

  const results = await preloadModels(router, ["a", "b"], {
    ...restart,
    reason: "restart",
  });

  deepStrictEqual(results, [
    { model: "a", success: true },
    { model: "b", success: true },
  ]);
  strictEqual(upstream.hits.length, 0);
  strictEqual(router.releases, 2);
  match(lines.text(), /model loaded model=a reason=restart/);
});

Deno.test("preloadModels() drops a restart once another model's swap evicts the model", async () => {
  const { router, lines, options } = setup();
  const { upstream: _, ...restart } = options;
  const { listeners, notify, notices } = noticeChannel();
  router.hold = true;

  const restarting = preloadModels(router, ["a"], {
    ...restart,
    reason: "restart",
    notices,
  });
  await router.called(1);
  notify({ kind: "swapStarted", model: "a", evict: ["b"], at: 0 });
  notify({ kind: "swapStarted", model: "c", evict: ["d"], at: 0 });
  strictEqual(router.calls[0]!.signal.aborted, false);
  notify({ kind: "swapStarted", model: "b", evict: ["a"], at: 0 });
  const results = await restarting;

  deepStrictEqual(results, [{ model: "a", success: false }]);
  strictEqual(listeners.size, 0);
  match(lines.text(), /restart dropped model=a evictedBy=b/);
  ok(!lines.text().includes("WARN"), lines.text());
});

Deno.test("preloadModels() also drops a later restart whose model was evicted while an earlier one waited", async () => {
  const { router, lines, options } = setup();
  const { upstream: _, ...restart } = options;
  const { listeners, notify, notices } = noticeChannel();
  router.hold = true;

  const restarting = preloadModels(router, ["a", "c"], {
    ...restart,
    reason: "restart",
    notices,
  });
  await router.called(1);
  notify({ kind: "swapStarted", model: "b", evict: ["c"], at: 0 });
  strictEqual(router.calls[0]!.signal.aborted, false);
  router.grantHeld(0);
  const results = await restarting;

  deepStrictEqual(results, [
    { model: "a", success: true },
    { model: "c", success: false },
  ]);
  deepStrictEqual(router.calls.map((call) => call.model), ["a"]);
  strictEqual(listeners.size, 0);
  match(lines.text(), /restart dropped model=c evictedBy=b/);
});

Deno.test("preloadModels() reaches a real upstream through the proxy's HTTP/1.1 client", async () => {
  const port = freePortRange(1);
  const received: string[] = [];
  await using _server = Deno.serve(
    { hostname: "127.0.0.1", port, onListen: () => {} },
    (request) => {
      const url = new URL(request.url);
      received.push(`${request.method} ${url.pathname} ${url.host}`);
      return new Response("x".repeat(100_000));
    },
  );
  const pool = new Http1Pool();
  const { router, lines, options } = setup();

  try {
    const results = await preloadModels(router, ["a"], {
      ...options,
      upstream: {
        send: sendThrough(pool, sendWithFetch(fetch)),
        models: models({ a: `http://127.0.0.1:${port}` }),
      },
    });

    deepStrictEqual(results, [{ model: "a", success: true }]);
    deepStrictEqual(received, [`GET / 127.0.0.1:${port}`]);
    match(lines.text(), /model preloaded model=a status=200/);
  } finally {
    pool.close();
  }
});

/** Router notices by hand: `notices` subscribes, `notify` delivers. */
function noticeChannel() {
  const listeners = new Set<(notice: RouterNotice) => void>();
  return {
    listeners,
    notify: (notice: RouterNotice) => {
      for (const listener of listeners) listener(notice);
    },
    notices: (listener: (notice: RouterNotice) => void) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
