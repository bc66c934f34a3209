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
    let at = this.#entries.findIndex((entry) =>
      entry.priority < waiter.priority
    );
    if (at === -1) at = this.#entries.length;

    this.#entries.splice(at, 0, waiter);
    return at + 1;
  }

  /** Removes the request with `id`; null when it is not queued. */
  remove(id: number): Waiter | null {
    const at = this.#entries.findIndex((entry) => entry.request.id === id);
    if (at === -1) return null;

    return this.#entries.splice(at, 1)[0] ?? null;
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
}
