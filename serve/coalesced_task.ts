import { type Deferred, deferred } from "../lib/mod.ts";

/**
 * Runs an async task so that runs never overlap and no trigger is lost:
 * a call while a run is under way schedules exactly one more run after
 * it, however many calls arrive meanwhile, and all those calls resolve
 * with that follow-up run's result.
 */
export class CoalescedTask<T> {
  readonly #task: () => Promise<T>;
  #running = false;
  #next: Deferred<T> | null = null;

  constructor(task: () => Promise<T>) {
    this.#task = task;
  }

  /** True while a run is under way. */
  get running(): boolean {
    return this.#running;
  }

  /** Starts a run now, or joins the one queued behind the current run. */
  run(): Promise<T> {
    if (!this.#running) return this.#start();

    this.#next ??= deferred<T>();
    return this.#next.promise;
  }

  #start(): Promise<T> {
    this.#running = true;
    const run = this.#task();
    run.finally(() => {
      this.#running = false;
      const next = this.#next;
      this.#next = null;
      if (next) this.#start().then(next.resolve, next.reject);
    }).catch(() => {});
    return run;
  }
}
