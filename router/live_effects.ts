import { type Clock, type Deferred, deferred } from "../lib/mod.ts";
import type { Logger } from "../log/mod.ts";
import {
  type ModelProcessHandle,
  type ProcessState,
  StartError,
} from "../process/mod.ts";
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

/** A process map waiting for the scheduler to install it. */
interface StagedProcesses {
  readonly processes: ReadonlyMap<string, ModelProcessHandle>;
  /** Resolves with the replaced models whose old process was running. */
  readonly installed: Deferred<string[]>;
}

/**
 * The `Effects` the router runs with: real processes, real callers, the
 * injected clock. Every method returns at once; swaps, stops and timers
 * run in the background and report back through `post`.
 *
 * After a config change it also holds the retiring processes: old ones a
 * new config replaced or removed. A model's stop stops its current
 * process and shuts its retiring ones down, so an eviction or unload
 * never leaves an old process running beside a new one.
 */
export class LiveEffects implements Effects {
  readonly log: Logger;
  readonly #options: LiveEffectsOptions;
  #processes: ReadonlyMap<string, ModelProcessHandle>;
  readonly #retiring = new Map<string, ModelProcessHandle[]>();
  readonly #staged = new Map<number, StagedProcesses>();
  readonly #callers = new Map<number, Caller>();
  readonly #swapTasks = new Map<number, AbortController>();
  readonly #timers = new Map<string, () => void>();
  readonly #unloads = new Map<number, Deferred<void>>();
  readonly #listeners = new Set<(notice: RouterNotice) => void>();

  constructor(options: LiveEffectsOptions) {
    this.#options = options;
    this.#processes = options.processes;
    this.log = options.log;
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
    const installed = deferred<string[]>();
    this.#staged.set(generation, { processes, installed });
    return installed.promise;
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
    for (const staged of this.#staged.values()) staged.installed.resolve([]);
    this.#staged.clear();
  }

  now(): number {
    return this.#options.clock.now();
  }

  /** The current process's state, or a retiring one's while that runs. */
  processState(model: string): ProcessState {
    const state = this.#processes.get(model)?.state ?? "stopped";
    if (state !== "stopped") return state;

    for (const old of this.#retiring.get(model) ?? []) {
      if (old.state !== "stopped" && old.state !== "shutdown") return old.state;
    }
    return state;
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
    graceMs: Readonly<Record<string, number>>,
  ): void {
    this.#stopModels(models, graceMs)
      .then(() => this.#options.post({ kind: "stopFinished", stopId }));
  }

  retireProcesses(
    stopId: number,
    models: readonly string[],
    graceMs: Readonly<Record<string, number>>,
  ): void {
    this.#retire(models, graceMs)
      .then(() => this.#options.post({ kind: "stopFinished", stopId }));
  }

  replaceProcesses(generation: number): void {
    const staged = this.#staged.get(generation);
    if (!staged) {
      this.log.error("no processes staged for the new configuration", {
        generation,
      });
      return;
    }

    this.#staged.delete(generation);
    const wasRunning: string[] = [];
    for (const [model, old] of this.#processes) {
      if (staged.processes.get(model) === old) continue;

      if (old.state === "starting" || old.state === "ready") {
        if (staged.processes.has(model)) wasRunning.push(model);
      }
      const retiring = this.#retiring.get(model) ?? [];
      retiring.push(old);
      this.#retiring.set(model, retiring);
    }
    this.#processes = staged.processes;
    staged.installed.resolve(wasRunning.sort());
  }

  /** Shuts down every process of `models` and every retiring one. */
  shutdownProcesses(
    stopId: number,
    models: readonly string[],
    graceMs: Readonly<Record<string, number>>,
  ): void {
    const longest = Math.max(0, ...Object.values(graceMs));
    const others = [...this.#retiring.keys()].filter((m) =>
      !models.includes(m)
    );
    const retiringGrace = Object.fromEntries(others.map((m) => [m, longest]));
    Promise.all([
      this.#allThen(
        models,
        (process, grace) => process.shutdown(grace),
        graceMs,
      ),
      this.#retire([...models, ...others], { ...retiringGrace, ...graceMs }),
    ]).then(() => this.#options.post({ kind: "stopFinished", stopId }));
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

  notifyPositions(queue: readonly PendingRequest[]): void {
    queue.forEach((request, at) => {
      try {
        this.#callers.get(request.id)?.position(at + 1);
      } catch (error) {
        this.log.warn("queue position listener failed", {
          model: request.model,
          error: String(error),
        });
      }
    });
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
    await this.#stopModels(evict, graceMs);
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

  /** Stops each model's process and shuts its retiring ones down. */
  async #stopModels(
    models: readonly string[],
    graceMs: Readonly<Record<string, number>>,
  ): Promise<void> {
    await Promise.all([
      this.#allThen(models, (process, grace) => process.stop(grace), graceMs),
      this.#retire(models, graceMs),
    ]);
  }

  /** Shuts the retiring processes of `models` down and forgets them. */
  async #retire(
    models: readonly string[],
    graceMs: Readonly<Record<string, number>>,
  ): Promise<void> {
    await Promise.all(
      models.flatMap((model) =>
        (this.#retiring.get(model) ?? []).map(async (old) => {
          try {
            await old.shutdown(graceMs[model] ?? 0);
          } catch (error) {
            this.log.warn("stop failed", { model, error: String(error) });
          }
          const left = (this.#retiring.get(model) ?? []).filter((p) =>
            p !== old
          );
          if (left.length > 0) this.#retiring.set(model, left);
          else this.#retiring.delete(model);
          this.#options.onRetired?.(old);
        })
      ),
    );
  }

  /** Runs `act` on each model's process in parallel; logs failures. */
  async #allThen(
    models: readonly string[],
    act: (process: ModelProcessHandle, graceMs: number) => Promise<void>,
    graceMs: Readonly<Record<string, number>>,
  ): Promise<void> {
    await Promise.all(models.map(async (model) => {
      const process = this.#processes.get(model);
      if (!process) return;
      try {
        await act(process, graceMs[model] ?? 0);
      } catch (error) {
        this.log.warn("stop failed", { model, error: String(error) });
      }
    }));
  }
}
