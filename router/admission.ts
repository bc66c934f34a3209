/**
 * Per-model reservations: a request holds one from admission until its
 * lease is released, it is refused, or its caller leaves. Queued requests
 * and swap waiters therefore count toward the concurrency limit.
 */
export class Admission {
  #reserved = new Map<string, number>();

  /** Reserves a slot of `model` unless `limit` are taken; false when full. */
  tryReserve(model: string, limit: number): boolean {
    const count = this.#reserved.get(model) ?? 0;
    if (count >= limit) return false;

    this.#reserved.set(model, count + 1);
    return true;
  }

  /**
   * Gives one slot of `model` back. Throws when none is held: a release
   * without a reservation means the bookkeeping is broken.
   */
  release(model: string): void {
    const count = this.#reserved.get(model) ?? 0;
    if (count <= 0) {
      throw new Error(`Cannot release a reservation: "${model}" holds none`);
    }

    if (count === 1) this.#reserved.delete(model);
    else this.#reserved.set(model, count - 1);
  }

  /** Reservations held, by model; models with none are omitted. */
  counts(): Record<string, number> {
    return Object.fromEntries(this.#reserved);
  }
}
