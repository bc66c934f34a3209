import type { Waiter } from "./request_queue.ts";

/** A load under way: its evictions, then its target. */
export interface Swap {
  readonly id: number;
  readonly model: string;
  readonly evict: readonly string[];
  /** Granted together, in join order, when the load succeeds. */
  readonly waiters: Waiter[];
  readonly startedAt: number;
}

/** The loads under way, at most one per target model. */
export class SwapTable {
  #byModel = new Map<string, Swap>();

  get size(): number {
    return this.#byModel.size;
  }

  get(model: string): Swap | undefined {
    return this.#byModel.get(model);
  }

  add(swap: Swap): void {
    this.#byModel.set(swap.model, swap);
  }

  delete(model: string): void {
    this.#byModel.delete(model);
  }

  /** A copy, so callers may delete while they walk it. */
  all(): Swap[] {
    return [...this.#byModel.values()];
  }

  targets(): IterableIterator<string> {
    return this.#byModel.keys();
  }

  /** Takes request `id` out of the waiters of its swap; null when none. */
  removeWaiter(id: number): Swap | null {
    for (const swap of this.#byModel.values()) {
      const at = swap.waiters.findIndex((w) => w.request.id === id);
      if (at === -1) continue;

      swap.waiters.splice(at, 1);
      return swap;
    }
    return null;
  }

  /** Whether a load of `target` evicting `evict` collides with any swap. */
  collides(target: string, evict: readonly string[]): boolean {
    for (const swap of this.#byModel.values()) {
      if (swap.model !== target && collidesWith(swap, target, evict)) {
        return true;
      }
    }
    return false;
  }
}

/**
 * Whether a load of `target` evicting `evict` may not run next to `swap`:
 * it would evict the swap's target, the swap would evict it, or both would
 * evict the same model.
 */
export function collidesWith(
  swap: Swap,
  target: string,
  evict: readonly string[],
): boolean {
  return evict.includes(swap.model) ||
    swap.evict.includes(target) ||
    evict.some((model) => swap.evict.includes(model));
}
