import type { Clock } from "./clock.ts";

/**
 * Waits for `promise` to settle, but no longer than `ms` on `clock`.
 * True: it settled in time (fulfilled or rejected). The timer is cancelled
 * as soon as the promise settles, so nothing is left pending.
 */
export function settlesWithin(
  promise: Promise<unknown>,
  ms: number,
  clock: Clock,
): Promise<boolean> {
  return new Promise((resolve) => {
    const cancel = clock.setTimer(() => resolve(false), Math.max(0, ms));
    const settled = () => {
      cancel();
      resolve(true);
    };
    promise.then(settled, settled);
  });
}
