import { deepStrictEqual, ok, strictEqual } from "node:assert/strict";
import { delay } from "../lib/mod.ts";
import { FakeClock } from "../tests/fake_clock.ts";
import {
  type HealthCheckOptions,
  type HealthOutcome,
  probeInterval,
  waitUntilHealthy,
} from "./health_check.ts";

/** Lets every pending promise callback run (one macrotask turn). */
function flush(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/** A fetch answering with `statuses` in turn (the last one repeats). */
function scriptedFetch(statuses: number[]) {
  const calls: { url: string; signal: AbortSignal | null }[] = [];
  const bodiesCancelled: number[] = [];
  const fetch = (input: RequestInfo | URL, init?: RequestInit) => {
    const status = statuses[Math.min(calls.length, statuses.length - 1)]!;
    calls.push({ url: String(input), signal: init?.signal ?? null });
    const body = new ReadableStream({
      cancel: () => void bodiesCancelled.push(status),
    });
    return Promise.resolve(new Response(body, { status }));
  };
  return { fetch, calls, bodiesCancelled };
}

/**
 * Starts `waitUntilHealthy()` on a fixed URL (60 s and a signal nobody
 * aborts unless `options` say otherwise); `outcome` fills in once it ends.
 */
function probeUntilHealthy(
  options:
    & Partial<HealthCheckOptions>
    & Pick<HealthCheckOptions, "clock" | "fetch">,
) {
  const seen: { outcome: HealthOutcome | null } = { outcome: null };
  waitUntilHealthy({
    url: "http://127.0.0.1:9/health",
    timeoutMs: 60_000,
    signal: new AbortController().signal,
    ...options,
  }).then((outcome) => (seen.outcome = outcome));
  return seen;
}

Deno.test("probeInterval() probes every 10 ms in the first second, then backs off to 50 ms", () => {
  deepStrictEqual(
    [0, 999, 1000, 1100, 2000, 2900, 3000, 60_000].map(probeInterval),
    [10, 10, 10, 12, 30, 48, 50, 50],
  );
});

Deno.test("waitUntilHealthy() probes at once, then every 10 ms until HTTP 200", async () => {
  const clock = new FakeClock();
  const { fetch, calls } = scriptedFetch([503, 503, 200]);
  const seen = probeUntilHealthy({
    clock,
    fetch,
  });

  await flush();
  strictEqual(calls.length, 1);
  clock.tick(9);
  await flush();
  strictEqual(calls.length, 1);
  clock.tick(1);
  await flush();
  strictEqual(calls.length, 2);
  clock.tick(10);
  await flush();

  strictEqual(calls.length, 3);
  strictEqual(seen.outcome, "healthy");
  strictEqual(calls[0]!.url, "http://127.0.0.1:9/health");
  strictEqual(clock.pendingTimers, 0);
});

Deno.test("waitUntilHealthy() counts only HTTP 200 as healthy", async () => {
  const clock = new FakeClock();
  const { fetch, calls } = scriptedFetch([204, 301, 500, 200]);
  const seen = probeUntilHealthy({
    clock,
    fetch,
  });

  for (let i = 0; i < 3; i++) {
    await flush();
    strictEqual(seen.outcome, null);
    clock.tick(10);
  }
  await flush();

  strictEqual(seen.outcome, "healthy");
  strictEqual(calls.length, 4);
});

Deno.test("waitUntilHealthy() discards every response body", async () => {
  const clock = new FakeClock();
  const { fetch, bodiesCancelled } = scriptedFetch([503, 200]);
  const seen = probeUntilHealthy({
    clock,
    fetch,
  });

  await flush();
  clock.tick(10);
  await flush();

  strictEqual(seen.outcome, "healthy");
  deepStrictEqual(bodiesCancelled, [503, 200]);
});

Deno.test("waitUntilHealthy() gives up with timeout once the deadline passes", async () => {
  const clock = new FakeClock();
  const { fetch, calls } = scriptedFetch([503]);
  const seen = probeUntilHealthy({
    timeoutMs: 100,
    clock,
    fetch,
  });

  for (let i = 0; i < 10; i++) {
    await flush();
    strictEqual(seen.outcome, null);
    clock.tick(10);
  }
  await flush();

  strictEqual(seen.outcome, "timeout");
  strictEqual(calls.length, 10);
  strictEqual(clock.pendingTimers, 0);
});

Deno.test("waitUntilHealthy() abandons a hung probe after probeTimeoutMs", async () => {
  const clock = new FakeClock();
  const signals: AbortSignal[] = [];
  const hanging = (_input: RequestInfo | URL, init?: RequestInit) => {
    const signal = init!.signal!;
    signals.push(signal);
    return new Promise<Response>((_resolve, reject) => {
      signal.addEventListener("abort", () => reject(signal.reason));
    });
  };
  const stop = new AbortController();
  const seen = probeUntilHealthy({
    signal: stop.signal,
    clock,
    fetch: hanging,
    probeTimeoutMs: 1000,
  });

  await flush();
  clock.tick(999);
  await flush();
  ok(!signals[0]!.aborted);
  clock.tick(1);
  await flush();
  clock.tick(50);
  await flush();

  ok(signals[0]!.aborted);
  strictEqual(signals.length, 2);
  strictEqual(seen.outcome, null);
  stop.abort();
  await flush();
  strictEqual(seen.outcome, "cancelled");
});

/** A fetch answering 200 `ms` after each call on `clock`. */
function slowFetch(clock: FakeClock, ms: number) {
  const signals: AbortSignal[] = [];
  const fetch = async (_input: RequestInfo | URL, init?: RequestInit) => {
    const signal = init!.signal!;
    signals.push(signal);
    await delay(ms, { clock, signal });
    return new Response("ok");
  };
  return { fetch, signals };
}

Deno.test("waitUntilHealthy() waits for a probe slower than a second when no probe timeout is set", async () => {
  const clock = new FakeClock();
  const { fetch, signals } = slowFetch(clock, 1500);
  const seen = probeUntilHealthy({
    clock,
    fetch,
  });

  await flush();
  clock.tick(1499);
  await flush();
  strictEqual(seen.outcome, null);
  clock.tick(1);
  await flush();

  strictEqual(seen.outcome, "healthy");
  strictEqual(signals.length, 1);
  ok(!signals[0]!.aborted);
  strictEqual(clock.pendingTimers, 0);
});

Deno.test("waitUntilHealthy() abandons a probe still unanswered at the deadline", async () => {
  const clock = new FakeClock();
  const { fetch, signals } = slowFetch(clock, 5000);
  const seen = probeUntilHealthy({
    timeoutMs: 2000,
    clock,
    fetch,
  });

  await flush();
  clock.tick(1999);
  await flush();
  ok(!signals[0]!.aborted);
  clock.tick(1);
  await flush();

  ok(signals[0]!.aborted);
  strictEqual(signals.length, 1);
  strictEqual(seen.outcome, "timeout");
  strictEqual(clock.pendingTimers, 0);
});

Deno.test("waitUntilHealthy() ends with cancelled when its signal aborts", async () => {
  const clock = new FakeClock();
  const { fetch } = scriptedFetch([503]);
  const stop = new AbortController();
  const seen = probeUntilHealthy({
    signal: stop.signal,
    clock,
    fetch,
  });
  await flush();

  stop.abort();
  await flush();

  strictEqual(seen.outcome, "cancelled");
  strictEqual(clock.pendingTimers, 0);
});
