/** Processes the scheduler asked to stop, and why. */
export type StopJob =
  | {
    readonly kind: "unload";
    readonly unloadId: number;
    readonly models: readonly string[];
  }
  | { readonly kind: "abandon"; readonly models: readonly string[] }
  | { readonly kind: "shutdown"; readonly models: readonly string[] };

/** Stop jobs in progress, by stop ID, and which models they cover. */
export class StopJobs {
  #jobs = new Map<number, StopJob>();
  /** Model -> number of unload or abandon jobs that include it. */
  #stopping = new Map<string, number>();

  add(stopId: number, job: StopJob): void {
    this.#jobs.set(stopId, job);
    if (job.kind === "shutdown") return;

    for (const model of job.models) {
      this.#stopping.set(model, (this.#stopping.get(model) ?? 0) + 1);
    }
  }

  /** Removes and returns job `stopId`; null when it is unknown. */
  finish(stopId: number): StopJob | null {
    const job = this.#jobs.get(stopId);
    if (!job) return null;

    this.#jobs.delete(stopId);
    if (job.kind === "shutdown") return job;
    for (const model of job.models) {
      const count = (this.#stopping.get(model) ?? 1) - 1;
      if (count > 0) this.#stopping.set(model, count);
      else this.#stopping.delete(model);
    }
    return job;
  }

  /** Whether an unload or an abandoned load is stopping `model`. */
  isStopping(model: string): boolean {
    return this.#stopping.has(model);
  }

  /** Models being stopped by an unload or an abandoned load, sorted. */
  stoppingModels(): string[] {
    return [...this.#stopping.keys()].sort();
  }

  /** Removes every job; returns the unload IDs still waiting for theirs. */
  clear(): number[] {
    const unloads: number[] = [];
    for (const job of this.#jobs.values()) {
      if (job.kind === "unload") unloads.push(job.unloadId);
    }

    this.#jobs.clear();
    this.#stopping.clear();
    return unloads;
  }
}
