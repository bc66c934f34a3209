/**
 * Time as a dependency, so code that waits can be tested with a fake clock
 * instead of real sleeps.
 */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
  /** Runs `fn` once after `ms`; the returned function cancels it. */
  setTimer(fn: () => void, ms: number): () => void;
}

/** The real clock, backed by `Date.now()` and `setTimeout()`. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer(fn, ms) {
    const id = setTimeout(fn, ms);
    return () => clearTimeout(id);
  },
};

/**
 * Resolves after `ms` on `clock`, or rejects with the signal's reason when
 * `signal` aborts first.
 */
export function delay(
  ms: number,
  options: { clock?: Clock; signal?: AbortSignal } = {},
): Promise<void> {
  const { clock = systemClock, signal } = options;
  if (signal?.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      cancel();
      reject(signal?.reason);
    };
    const cancel = clock.setTimer(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
