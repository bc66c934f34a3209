/**
 * Granted requests not yet released, by request ID and counted by model.
 * Only grants that reached a waiting caller are counted.
 */
export class InFlight {
  #serving = new Map<number, string>();
  #counts = new Map<string, number>();

  begin(requestId: number, model: string): void {
    this.#serving.set(requestId, model);
    this.#counts.set(model, this.count(model) + 1);
  }

  /**
   * Ends request `requestId`; returns its model and how many of that
   * model's requests are left, or null when it was not in flight.
   */
  end(requestId: number): { model: string; left: number } | null {
    const model = this.#serving.get(requestId);
    if (model === undefined) return null;

    this.#serving.delete(requestId);
    const left = this.count(model) - 1;
    if (left > 0) this.#counts.set(model, left);
    else this.#counts.delete(model);
    return { model, left };
  }

  count(model: string): number {
    return this.#counts.get(model) ?? 0;
  }

  /** Counts by model; models with none are omitted. */
  counts(): Record<string, number> {
    return Object.fromEntries(this.#counts);
  }
}
