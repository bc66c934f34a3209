import { type Deferred, deferred } from "../lib/mod.ts";
import {
  type ModelProcessHandle,
  type ProcessState,
  StartError,
  type StateChange,
} from "../process/mod.ts";

/**
 * An in-memory `ModelProcessHandle` whose starts and stops the test ends
 * by hand: `ensureReady()` on a stopped process begins a start that waits
 * for `finishStart()` or `failStart()`; `stop()` waits for `finishStop()`
 * unless `autoStop` is set. Records every call.
 */
export class FakeProcess implements ModelProcessHandle {
  readonly model: string;
  readonly pid = null;
  autoStop: boolean;
  /** How many starts began. */
  starts = 0;
  /** Grace of every `stop()` and `shutdown()` call, in order. */
  readonly stopCalls: { graceMs: number; shutdown: boolean }[] = [];
  #state: ProcessState;
  #inFlight = 0;
  #start: Deferred<void> | null = null;
  #stop: Deferred<void> | null = null;
  #pendingEnd: "stopped" | "shutdown" = "stopped";
  #listeners = new Set<(change: StateChange) => void>();

  constructor(
    model: string,
    options: { state?: ProcessState; autoStop?: boolean } = {},
  ) {
    this.model = model;
    this.#state = options.state ?? "stopped";
    this.autoStop = options.autoStop ?? true;
  }

  get state(): ProcessState {
    return this.#state;
  }

  get inFlight(): number {
    return this.#inFlight;
  }

  /** True while a start waits for `finishStart()` or `failStart()`. */
  get starting(): boolean {
    return this.#start !== null;
  }

  /** True while a stop waits for `finishStop()`. */
  get stopping(): boolean {
    return this.#stop !== null;
  }

  async ensureReady(signal?: AbortSignal): Promise<void> {
    if (this.#state === "ready") return;
    if (this.#state === "shutdown") {
      throw new StartError(this.model, "shutdown", "process shut down");
    }
    if (this.#stop) await this.#stop.promise;
    if (!this.#start) {
      this.starts++;
      this.#start = deferred();
      this.#move("starting");
    }

    const start = this.#start.promise;
    if (!signal) return start;
    return new Promise((resolve, reject) => {
      const onAbort = () => reject(signal.reason);
      signal.addEventListener("abort", onAbort, { once: true });
      start.then(resolve, reject).finally(() =>
        signal.removeEventListener("abort", onAbort)
      );
    });
  }

  finishStart(): void {
    const start = this.#takeStart();
    this.#move("ready");
    start.resolve();
  }

  failStart(message = "upstream exited before it was ready"): void {
    const start = this.#takeStart();
    this.#move("stopped");
    start.reject(new StartError(this.model, "exited", message));
  }

  stop(graceMs: number): Promise<void> {
    this.stopCalls.push({ graceMs, shutdown: false });
    return this.#stopNow("stopped");
  }

  shutdown(graceMs: number): Promise<void> {
    this.stopCalls.push({ graceMs, shutdown: true });
    return this.#stopNow("shutdown");
  }

  finishStop(): void {
    const stop = this.#stop;
    if (!stop) {
      throw new Error(`Cannot finish a stop: "${this.model}" is not stopping`);
    }
    this.#stop = null;
    this.#move(this.#pendingEnd);
    stop.resolve();
  }

  /** The process stops by itself, as after a crash or an idle unload. */
  crash(): void {
    this.#move("stopped");
  }

  beginRequest(): () => void {
    this.#inFlight++;
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      this.#inFlight--;
    };
  }

  onStateChange(listener: (change: StateChange) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Like `ModelProcess`: a stop while ready shows `stopping`; one during a
   * start keeps showing `starting` until `finishStop()` moves it on.
   */
  #stopNow(end: "stopped" | "shutdown"): Promise<void> {
    if (this.#start) {
      const start = this.#takeStart();
      start.reject(new StartError(this.model, "aborted", "aborted"));
    }
    if (this.#stop) return this.#stop.promise;
    if (this.#state === "stopped" || this.#state === "shutdown") {
      this.#move(end === "shutdown" ? "shutdown" : this.#state);
      return Promise.resolve();
    }

    this.#pendingEnd = end;
    if (this.#state !== "starting") this.#move("stopping");
    this.#stop = deferred();
    const done = this.#stop.promise;
    if (this.autoStop) this.finishStop();
    return done;
  }

  #takeStart(): Deferred<void> {
    const start = this.#start;
    if (!start) {
      throw new Error(`Cannot end a start: "${this.model}" is not starting`);
    }
    this.#start = null;
    return start;
  }

  #move(to: ProcessState): void {
    const from = this.#state;
    if (from === to) return;
    this.#state = to;
    const change = { model: this.model, from, to, at: Date.now() };
    for (const listener of this.#listeners) listener(change);
  }
}

/** Resolves when `process` next moves to `state` (at once if it is there). */
export function reaches(
  process: ModelProcessHandle,
  state: ProcessState,
): Promise<void> {
  if (process.state === state) return Promise.resolve();
  return new Promise((resolve) => {
    const stop = process.onStateChange((change) => {
      if (change.to !== state) return;
      stop();
      resolve();
    });
  });
}
