import type { Logger } from "../log/mod.ts";

/**
 * Decides which running models must stop so a target model can run.
 *
 * `evictionFor()` is pure: the scheduler calls it speculatively, many times
 * per decision, so it never logs and never changes state.
 */
export interface Planner {
  /**
   * Models in `running` that must stop before `target` starts, in the order
   * of `running` (which is sorted). When `running` already contains
   * `target`, the answer is empty.
   */
  evictionFor(target: string, running: readonly string[]): string[];

  /**
   * Called once when the scheduler commits a swap; the only place a planner
   * may log (for example the matrix set it chose and the eviction cost).
   */
  onSwapCommitted(
    target: string,
    running: readonly string[],
    evict: readonly string[],
    log: Logger,
  ): void;
}
