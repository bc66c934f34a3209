import { type Clock, delay } from "../lib/mod.ts";

/** How a wait for a healthy upstream ended. */
export type HealthOutcome = "healthy" | "timeout" | "cancelled";

export interface HealthCheckOptions {
  /** Full URL probed with GET; only HTTP 200 counts as healthy. */
  url: string;
  /** Give up after this long, counted from the call. */
  timeoutMs: number;
  /** Aborting it ends the wait with "cancelled" (a stop, a child exit). */
  signal: AbortSignal;
  clock: Clock;
  fetch: typeof fetch;
  /**
   * Longest a single probe may take (the model's `timeouts.responseHeader`);
   * 0 or absent: as long as the deadline allows. A probe still unanswered
   * at the deadline is abandoned either way.
   */
  probeTimeoutMs?: number;
}

/**
 * Pause before the next probe, by time spent waiting so far: 10 ms during
 * the first second, then 2 ms longer per further 100 ms, up to 50 ms after
 * three seconds. Loads that finish quickly are noticed almost at once;
 * slow loads are still noticed within 50 ms without hammering the server.
 */
export function probeInterval(elapsedMs: number): number {
  if (elapsedMs < 1000) return 10;
  return Math.min(50, 10 + Math.floor((elapsedMs - 1000) / 100) * 2);
}

/**
 * Probes `url` until it answers 200, the timeout passes or `signal` aborts.
 * The first probe goes out at once; the next one once it has been
 * answered (or failed) and a short pause (`probeInterval()`) has passed, so
 * an upstream whose health route answers slowly is still found healthy.
 * Never rejects; every response body is cancelled and every timer cleared
 * before it resolves.
 */
export async function waitUntilHealthy(
  options: HealthCheckOptions,
): Promise<HealthOutcome> {
  const { clock, signal, timeoutMs } = options;
  const probeTimeoutMs = options.probeTimeoutMs ?? 0;
  const started = clock.now();
  const deadline = started + timeoutMs;

  for (;;) {
    if (signal.aborted) return "cancelled";
    const remaining = deadline - clock.now();
    if (remaining <= 0) return "timeout";

    const limit = probeTimeoutMs > 0
      ? Math.min(probeTimeoutMs, remaining)
      : remaining;
    if (await probe(options, limit)) return "healthy";
    if (signal.aborted) return "cancelled";

    const pause = Math.min(
      probeInterval(clock.now() - started),
      deadline - clock.now(),
    );
    if (pause <= 0) continue; // the deadline has passed
    try {
      await delay(pause, { clock, signal });
    } catch {
      return "cancelled";
    }
  }
}

/** One GET with its own time limit. True only for HTTP 200. */
async function probe(
  options: HealthCheckOptions,
  limitMs: number,
): Promise<boolean> {
  const controller = new AbortController();
  const cancelTimer = options.clock.setTimer(
    () => controller.abort(new Error("health probe timed out")),
    limitMs,
  );
  const signal = AbortSignal.any([controller.signal, options.signal]);

  try {
    const response = await options.fetch(options.url, { signal });
    const healthy = response.status === 200;
    await response.body?.cancel().catch(() => {
      // The body is unwanted; a failure to discard it changes nothing.
    });
    return healthy;
  } catch {
    // Refused connections, resets and timeouts all mean "not yet".
    return false;
  } finally {
    cancelTimer();
  }
}
