/** Processes the scheduler asked to stop, and why. */
export type StopJob =
  | {
    readonly kind: "unload";
    readonly unloadId: number;
    readonly models: readonly string[];
  }
  | { readonly kind: "abandon"; readonly models: readonly string[] }
  /** The old processes of models a new config replaced or removed. */
  | { readonly kind: "retire"; readonly models: readonly string[] }
  | { readonly kind: "shutdown"; readonly models: readonly string[] };

/**
 * Stop jobs in progress, by stop ID, and which models they cover; also the
 * models whose old process waits for its last request before it retires.
 */
export class StopJobs {
  #jobs = new Map<number, StopJob>();
  /** Model -> number of unload, abandon or retire jobs that include it. */
  #stopping = new Map<string, number>();
  /** Model -> stop grace of its old process, retired once it is idle. */
  #draining = new Map<string, number>();

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

  /**
   * Marks `model`'s old process as draining: it retires, with `graceMs`,
   * once its requests in flight end. A model already draining keeps the
   * grace it was given first (that of the process still serving).
   */
  drain(model: string, graceMs: number): void {
    if (!this.#draining.has(model)) this.#draining.set(model, graceMs);
  }

  /**
   * Ends the drain of `model` and returns its grace, for the retire job
   * that follows; null when `model` is not draining.
   */
  takeDrained(model: string): number | null {
    const grace = this.#draining.get(model);
    if (grace === undefined) return null;

    this.#draining.delete(model);
    return grace;
  }

  /** Models whose old process drains, in no particular order. */
  drainingModels(): string[] {
    return [...this.#draining.keys()];
  }

  /**
   * Whether `model` takes no new work: an unload, an abandoned load or a
   * retirement is stopping it, or its old process is draining.
   */
  isStopping(model: string): boolean {
    return this.#stopping.has(model) || this.#draining.has(model);
  }

  /** Models that `isStopping()` holds back, sorted. */
  stoppingModels(): string[] {
    const models = new Set([
      ...this.#stopping.keys(),
      ...this.#draining.keys(),
    ]);
    return [...models].sort();
  }

  /** Removes every job; returns the unload IDs still waiting for theirs. */
  clear(): number[] {
    const unloads: number[] = [];
    for (const job of this.#jobs.values()) {
      if (job.kind === "unload") unloads.push(job.unloadId);
    }

    this.#jobs.clear();
    this.#stopping.clear();
    this.#draining.clear();
    return unloads;
  }
}
