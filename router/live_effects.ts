import { type Clock, type Deferred, deferred } from "../lib/mod.ts";
import type { Logger } from "../log/mod.ts";
import {
  type ModelProcessHandle,
  type ProcessState,
  StartError,
} from "../process/mod.ts";
import { type GraceMs, ProcessTable } from "./process_table.ts";
import type { Caller } from "./caller.ts";
import type { Effects } from "./effects.ts";
import { RouterError } from "./errors.ts";
import type { RouterEvent } from "./events.ts";
import type { RouterNotice } from "./notice.ts";
import type { PendingRequest } from "./request.ts";

export interface LiveEffectsOptions {
  /** The first configuration's processes, by model. */
  processes: ReadonlyMap<string, ModelProcessHandle>;
  clock: Clock;
  log: Logger;
  /** Posts an event to the run loop; never blocks. */
  post: (event: RouterEvent) => void;
  /** Called once the scheduler says shutdown is complete. */
  onShutdownFinished: () => void;
  /** Called for each replaced process once it was shut down. */
  onRetired?: (process: ModelProcessHandle) => void;
}

/**
 * The `Effects` the router runs with: real processes, real callers, the
 * injected clock. Every method returns at once; swaps, stops and timers
 * run in the background and report back through `post`.
 *
 * Processes are reached through a `ProcessTable`, which also holds the
 * retiring ones a config change replaced or removed: a model's stop stops
 * its current process and shuts its retiring ones down, so an eviction or
 * unload never leaves an old process running beside a new one.
 */
export class LiveEffects implements Effects {
  readonly log: Logger;
  readonly #options: LiveEffectsOptions;
  readonly #processes: ProcessTable;
  readonly #callers = new Map<number, Caller>();
  readonly #swapTasks = new Map<number, AbortController>();
  readonly #timers = new Map<string, () => void>();
  readonly #unloads = new Map<number, Deferred<void>>();
  readonly #listeners = new Set<(notice: RouterNotice) => void>();

  constructor(options: LiveEffectsOptions) {
    this.#options = options;
    this.log = options.log;
    this.#processes = new ProcessTable({
      processes: options.processes,
      log: options.log,
      ...(options.onRetired ? { onRetired: options.onRetired } : {}),
    });
  }

  /**
   * Keeps `processes` until the scheduler installs them for config
   * `generation` (`replaceProcesses()`). Resolves then, with the models
   * whose replaced process was starting or ready at that moment; resolves
   * with none if the loop ends first.
   */
  stageProcesses(
    generation: number,
    processes: ReadonlyMap<string, ModelProcessHandle>,
  ): Promise<string[]> {
    return this.#processes.stage(generation, processes);
  }

  /** Makes `caller` reachable by its request ID until it settles. */
  addCaller(caller: Caller): void {
    this.#callers.set(caller.request.id, caller);
  }

  removeCaller(id: number): void {
    this.#callers.delete(id);
  }

  /** A promise that resolves when `completeUnload(unloadId)` is called. */
  trackUnload(unloadId: number): Promise<void> {
    const done = deferred<void>();
    this.#unloads.set(unloadId, done);
    return done.promise;
  }

  /** Adds an observer; the result removes it. */
  onNotice(listener: (notice: RouterNotice) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** After the loop ended: resolves every unload and staging still waiting. */
  settleUnloads(): void {
    for (const done of this.#unloads.values()) done.resolve();
    this.#unloads.clear();
    this.#processes.settle();
  }

  now(): number {
    return this.#options.clock.now();
  }

  /** The current process's state, or a retiring one's while that runs. */
  processState(model: string): ProcessState {
    return this.#processes.state(model);
  }

  admit(request: PendingRequest): boolean {
    return this.#callers.get(request.id)?.admit() ?? false;
  }

  reject(request: PendingRequest, error: RouterError): void {
    this.#callers.get(request.id)?.reject(error);
  }

  grant(request: PendingRequest, priority: number): boolean {
    const caller = this.#callers.get(request.id);
    if (!caller?.waiting) return false;
    const process = this.#processes.get(request.model);
    if (!process) {
      const missing = new Error("no process is configured for it");
      caller.reject(RouterError.loadFailed(request.model, missing));
      return false;
    }

    caller.grant(priority, process.beginRequest());
    return true;
  }

  startSwap(
    swapId: number,
    model: string,
    evict: readonly string[],
    graceMs: Readonly<Record<string, number>>,
  ): void {
    const controller = new AbortController();
    this.#swapTasks.set(swapId, controller);

    this.#swap(model, evict, graceMs, controller.signal).then(
      () => null,
      (error: unknown) =>
        error instanceof Error ? error : new Error(String(error)),
    ).then((error) => {
      this.#swapTasks.delete(swapId);
      this.#options.post({ kind: "swapFinished", swapId, model, error });
    });
  }

  cancelSwap(swapId: number): void {
    this.#swapTasks.get(swapId)?.abort();
  }

  stopProcesses(
    stopId: number,
    models: readonly string[],
    graceMs: GraceMs,
  ): void {
    this.#processes.stop(models, graceMs)
      .then(() => this.#options.post({ kind: "stopFinished", stopId }));
  }

  retireProcesses(
    stopId: number,
    models: readonly string[],
    graceMs: GraceMs,
  ): void {
    this.#processes.retire(models, graceMs)
      .then(() => this.#options.post({ kind: "stopFinished", stopId }));
  }

  replaceProcesses(generation: number): void {
    this.#processes.install(generation);
  }

  /** Shuts down every process of `models` and every retiring one. */
  shutdownProcesses(
    stopId: number,
    models: readonly string[],
    graceMs: GraceMs,
  ): void {
    this.#processes.shutdown(models, graceMs)
      .then(() => this.#options.post({ kind: "stopFinished", stopId }));
  }

  completeUnload(unloadId: number): void {
    this.#unloads.get(unloadId)?.resolve();
    this.#unloads.delete(unloadId);
  }

  finishShutdown(): void {
    for (const cancel of this.#timers.values()) cancel();
    this.#timers.clear();
    for (const controller of this.#swapTasks.values()) controller.abort();
    this.#options.onShutdownFinished();
  }

  notifyPositions(requests: readonly PendingRequest[], first: number): void {
    requests.forEach((request, at) =>
      this.#tellCaller(request, (caller) => caller.position(first + at))
    );
  }

  leftQueue(request: PendingRequest): void {
    this.#tellCaller(request, (caller) => caller.leftQueue());
  }

  /** Runs `tell` on the request's caller; a throwing listener is logged. */
  #tellCaller(request: PendingRequest, tell: (caller: Caller) => void): void {
    const caller = this.#callers.get(request.id);
    if (!caller) return;
    try {
      tell(caller);
    } catch (error) {
      this.log.warn("queue position listener failed", {
        model: request.model,
        error: String(error),
      });
    }
  }

  scheduleTimer(at: number, key: string): void {
    this.cancelTimer(key);
    const { clock, post } = this.#options;
    const cancel = clock.setTimer(() => {
      this.#timers.delete(key);
      post({ kind: "timerFired", key });
    }, Math.max(0, at - clock.now()));
    this.#timers.set(key, cancel);
  }

  cancelTimer(key: string): void {
    this.#timers.get(key)?.();
    this.#timers.delete(key);
  }

  notify(notice: RouterNotice): void {
    for (const listener of this.#listeners) {
      try {
        listener(notice);
      } catch (error) {
        this.log.warn("notice listener failed", {
          notice: notice.kind,
          error: String(error),
        });
      }
    }
  }

  /**
   * The swap task: stops the evictions in parallel (a failed stop is only
   * logged), then lets the process decide how to become ready: at once, by
   * starting, or by finishing a stop in progress and starting again.
   */
  async #swap(
    model: string,
    evict: readonly string[],
    graceMs: Readonly<Record<string, number>>,
    signal: AbortSignal,
  ): Promise<void> {
    await this.#processes.stop(evict, graceMs);
    if (signal.aborted) {
      throw new StartError(
        model,
        "aborted",
        `Load of "${model}" was cancelled`,
      );
    }

    const process = this.#processes.get(model);
    if (!process) {
      throw new StartError(
        model,
        "config",
        `Cannot start "${model}": no process is configured for it`,
      );
    }
    await process.ensureReady(signal);
  }
}
