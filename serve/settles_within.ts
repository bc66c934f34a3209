import type { Clock } from "../lib/mod.ts";

/**
 * Resolves true when `promise` settles within `ms` on `clock`, false when
 * the time runs out first. Never rejects; clears its timer either way.
 */
export function settlesWithin(
  promise: Promise<unknown>,
  ms: number,
  clock: Clock,
): Promise<boolean> {
  return new Promise((resolve) => {
    const cancel = clock.setTimer(() => resolve(false), ms);
    promise.then(
      () => {
        cancel();
        resolve(true);
      },
      () => {
        cancel();
        resolve(true);
      },
    );
  });
}
