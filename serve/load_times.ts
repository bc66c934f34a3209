import type { StateChange } from "../process/mod.ts";

/** How many recent loads the estimate looks at. */
const REMEMBERED_LOADS = 5;

/**
 * Remembers how long each model took to become ready, from its state
 * changes, so the loading stream can estimate progress.
 */
export class LoadTimes {
  readonly #startedAt = new Map<string, number>();
  readonly #durations = new Map<string, number[]>();

  /** Feed every process state change here. */
  observe(change: StateChange): void {
    if (change.to === "starting") {
      this.#startedAt.set(change.model, change.at);
      return;
    }
    const started = this.#startedAt.get(change.model);
    if (started === undefined) return;
    this.#startedAt.delete(change.model);
    if (change.from !== "starting" || change.to !== "ready") return;

    const recent = this.#durations.get(change.model) ?? [];
    recent.push(change.at - started);
    if (recent.length > REMEMBERED_LOADS) recent.shift();
    this.#durations.set(change.model, recent);
  }

  /** The median of the model's recent load times, or null before one. */
  expectedMs(model: string): number | null {
    const recent = this.#durations.get(model);
    if (!recent?.length) return null;
    const sorted = [...recent].sort((a, b) => a - b);
    const middle = Math.floor(sorted.length / 2);
    return sorted.length % 2
      ? sorted[middle]!
      : (sorted[middle - 1]! + sorted[middle]!) / 2;
  }
}
