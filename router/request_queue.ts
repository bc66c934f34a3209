import type { PendingRequest } from "./request.ts";

/** An admitted request the scheduler holds: queued or waiting on a swap. */
export interface Waiter {
  readonly request: PendingRequest;
  readonly priority: number;
  /** Clock time the request arrived at the router. */
  readonly arrivedAt: number;
}

/**
 * Requests waiting for their model to become possible, in service order:
 * higher priority first, arrival order within a priority.
 */
export class RequestQueue {
  #entries: Waiter[] = [];

  get length(): number {
    return this.#entries.length;
  }

  /**
   * Inserts `waiter` before the first entry of strictly lower priority, so
   * equal priorities keep arrival order. Returns its 1-based position.
   */
  insert(waiter: Waiter): number {
    const entries = this.#entries;
    // Priorities never rise along the queue: binary search for the first
    // entry of a lower one (the end, in the common case of equal ones).
    let low = 0;
    let high = entries.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (entries[middle]!.priority < waiter.priority) high = middle;
      else low = middle + 1;
    }

    entries.splice(low, 0, waiter);
    return low + 1;
  }

  /**
   * Removes the request with `id` and returns it with the 0-based index
   * it had; null when it is not queued. `hint` is where the caller
   * believes it is, checked before the queue is searched.
   */
  remove(id: number, hint?: number): { waiter: Waiter; at: number } | null {
    const at = hint !== undefined && this.#entries[hint]?.request.id === id
      ? hint
      : this.#entries.findIndex((entry) => entry.request.id === id);
    if (at === -1) return null;

    const [waiter] = this.#entries.splice(at, 1);
    return waiter ? { waiter, at } : null;
  }

  /** Removes and returns every entry `test` accepts, keeping the rest. */
  removeWhere(test: (waiter: Waiter) => boolean): Waiter[] {
    const removed = this.#entries.filter(test);
    if (removed.length > 0) {
      this.#entries = this.#entries.filter((entry) => !test(entry));
    }
    return removed;
  }

  /** A copy of the entries in service order. */
  entries(): Waiter[] {
    return [...this.#entries];
  }

  /**
   * The entries in service order without a copy, for reading at once:
   * the array changes with the queue.
   */
  view(): readonly Waiter[] {
    return this.#entries;
  }
}
