import type { Logger } from "../log/mod.ts";
import type { Planner } from "../planners/mod.ts";
import type { StateChange } from "../process/mod.ts";
import { Admission } from "./admission.ts";
import type { Effects } from "./effects.ts";
import { RouterError } from "./errors.ts";
import type { FifoSettings } from "./fifo_settings.ts";
import { InFlight } from "./in_flight.ts";
import { type Blocked, Placement } from "./placement.ts";
import { RequestQueue, type Waiter } from "./request_queue.ts";
import type { PendingRequest } from "./request.ts";
import type { Scheduler } from "./scheduler.ts";
import type { RouterSnapshot } from "./snapshot.ts";
import { type StopJob, StopJobs } from "./stop_jobs.ts";
import { type Swap, SwapTable } from "./swap_table.ts";

export interface FifoSchedulerOptions {
  effects: Effects;
  planner: Planner;
  settings: FifoSettings;
}

const MAX_WAIT_TIMER = "maxWait:";

/**
 * The FIFO scheduler: a pure state machine over the queue, the loads under
 * way, in-flight counts, reservations and stops in progress.
 *
 * It never touches a process, timer or socket; it acts only through
 * `Effects`, whose results come back as events. Handlers are called by the
 * run loop, one at a time, and return without waiting.
 *
 * Requests for the loaded model are served at once (the fast path), every
 * request for a model being loaded joins that load, and blocked requests
 * wait in a priority-ordered queue that is walked again whenever something
 * that blocks it ends (the drain). So requests `A B C A B C` for mutually
 * exclusive models are served `A A B B C C` with three loads.
 */
export class FifoScheduler implements Scheduler {
  readonly #effects: Effects;
  readonly #planner: Planner;
  readonly #settings: FifoSettings;
  readonly #log: Logger;
  /** Every model, sorted. */
  readonly #models: readonly string[];

  #queue = new RequestQueue();
  #admission = new Admission();
  #swaps = new SwapTable();
  #inFlight = new InFlight();
  #stops = new StopJobs();
  readonly #placement: Placement;
  #lastId = 0;
  #shuttingDown = false;

  constructor(options: FifoSchedulerOptions) {
    this.#effects = options.effects;
    this.#planner = options.planner;
    this.#settings = options.settings;
    this.#log = options.effects.log;
    this.#models = Object.keys(options.settings.models).sort();
    this.#placement = new Placement({
      effects: this.#effects,
      planner: this.#planner,
      models: this.#models,
      maxWaitMs: this.#settings.maxWaitMs,
      queue: this.#queue,
      swaps: this.#swaps,
      inFlight: this.#inFlight,
      stops: this.#stops,
    });
  }

  /**
   * Admission, then the decision:
   * 1. refused with 503 while shutting down;
   * 2. refused with 404 for a model this router does not serve;
   * 3. refused with 429 when the model's reservations are at its limit;
   * 4. dropped without a trace when the caller left before admission;
   * 5. otherwise reserved and placed (`#place()`), or queued.
   */
  onRequestArrived(request: PendingRequest): void {
    const { model, id } = request;
    const rules = this.#settings.models[model];

    if (this.#shuttingDown) { // 1
      this.#effects.reject(request, RouterError.shuttingDown(model));
      return;
    }
    if (!rules) { // 2
      this.#log.debug("request for an unknown model refused", { model, id });
      this.#effects.reject(request, RouterError.notFound(model));
      return;
    }
    if (!this.#admission.tryReserve(model, rules.concurrencyLimit)) { // 3
      this.#log.debug("request over the concurrency limit refused", {
        model,
        id,
        limit: rules.concurrencyLimit,
      });
      this.#effects.reject(
        request,
        RouterError.overLimit(model, rules.concurrencyLimit),
      );
      return;
    }
    if (!this.#effects.admit(request)) { // 4
      this.#admission.release(model);
      this.#log.debug("caller left before admission", { model, id });
      return;
    }

    const waiter = {
      request,
      priority: this.#priority(model),
      arrivedAt: this.#effects.now(),
    };
    const blocked = this.#place(waiter); // 5
    if (blocked) this.#enqueue(waiter, blocked);
  }

  /**
   * Forgets a request whose caller left. A queued request frees its slot
   * and its place; a swap waiter frees its slot, and a load left with no
   * waiters is stopped when it blocks a queued request. A request already
   * granted or refused is not affected.
   */
  onRequestCancelled(requestId: number): void {
    const queued = this.#queue.remove(requestId);
    if (queued) {
      this.#forget(queued);
      this.#log.debug("queued request cancelled", {
        model: queued.request.model,
        id: requestId,
      });
      this.#queueChanged();
      this.#abandonIdleSwaps();
      this.#drain();
      return;
    }

    const swap = this.#swaps.removeWaiter(requestId);
    if (swap) {
      this.#admission.release(swap.model);
      this.#log.debug("load waiter cancelled", {
        model: swap.model,
        id: requestId,
        waiters: swap.waiters.length,
      });
      this.#abandonIdleSwaps();
    }
  }

  /**
   * A swap task ended. A result for a swap that was dropped (unloaded,
   * abandoned, shutdown) is ignored. Otherwise every waiter is granted, or
   * refused with the load's error, and the queue is drained.
   */
  onSwapFinished(swapId: number, model: string, error: Error | null): void {
    const swap = this.#swaps.get(model);
    if (!swap || swap.id !== swapId) {
      this.#log.debug("result of a dropped load ignored", { model, swapId });
      return;
    }

    this.#swaps.delete(model);
    const ms = this.#effects.now() - swap.startedAt;
    const failure = error ?? this.#notReadyAfterLoad(model);
    if (failure) {
      this.#log.warn("swap failed", { model, ms, error: failure.message });
      this.#effects.notify({
        kind: "swapFinished",
        model,
        ms,
        error: failure.message,
      });
      const refusal = RouterError.loadFailed(model, failure);
      for (const waiter of swap.waiters) this.#refuse(waiter, refusal);
    } else {
      this.#log.info("swap finished", { model, ms });
      this.#effects.notify({ kind: "swapFinished", model, ms });
      for (const waiter of swap.waiters) {
        this.#grant(waiter, "granted after load");
      }
    }

    this.#drain();
  }

  /** A lease was released; at zero in flight the model may be evicted. */
  onServeFinished(requestId: number): void {
    const ended = this.#inFlight.end(requestId);
    if (!ended) return;

    this.#admission.release(ended.model);
    if (ended.left === 0) this.#drain();
  }

  /** Stops ended: settle the unload or shutdown that asked, then drain. */
  onStopFinished(stopId: number): void {
    const job = this.#stops.finish(stopId);
    if (!job) return;

    switch (job.kind) {
      case "unload":
        this.#log.info("unload finished", { models: job.models });
        this.#effects.completeUnload(job.unloadId);
        break;
      case "abandon":
        this.#log.debug("abandoned load stopped", { models: job.models });
        break;
      case "shutdown":
        this.#finishShutdown();
        return;
      default:
        job satisfies never;
    }

    this.#drain();
  }

  /**
   * Unloads `models` (null: all; unknown names ignored). Loads of them are
   * dropped and their waiters refused, queued requests for them refused,
   * and the processes stopped in the background; until the stops finish,
   * new requests for them queue, then load the model again. Other models
   * keep being served meanwhile.
   */
  onUnloadRequested(
    unloadId: number,
    models: readonly string[] | null,
    timeoutMs: number | null,
  ): void {
    if (this.#shuttingDown) {
      this.#effects.completeUnload(unloadId);
      return;
    }

    const targets = models === null
      ? [...this.#models]
      : [...new Set(models)].filter((m) => m in this.#settings.models);
    const unloaded = new Set(targets);

    for (const model of targets) {
      const swap = this.#swaps.get(model);
      if (!swap) continue;

      this.#dropSwap(swap, "unloaded");
      for (const waiter of swap.waiters) {
        this.#refuse(waiter, RouterError.unloaded(model));
      }
    }
    const queued = this.#queue.removeWhere((w) =>
      unloaded.has(w.request.model)
    );
    for (const waiter of queued) {
      this.#forget(waiter);
      this.#effects.reject(
        waiter.request,
        RouterError.unloaded(waiter.request.model),
      );
    }
    if (queued.length > 0) this.#queueChanged();

    this.#log.info("unload started", { models: targets, timeoutMs });
    this.#beginStop({ kind: "unload", unloadId, models: targets }, timeoutMs);
    this.#drain();
  }

  /**
   * Refuses every waiting and queued request with 503, then shuts every
   * process down in parallel; `finishShutdown()` follows once all are
   * down. A second call does nothing.
   */
  onShutdownRequested(timeoutMs: number | null): void {
    if (this.#shuttingDown) return;

    this.#shuttingDown = true;
    this.#log.info("shutting down", { timeoutMs });

    for (const swap of this.#swaps.all()) {
      this.#dropSwap(swap, "shutting down");
      for (const waiter of swap.waiters) {
        this.#refuse(waiter, RouterError.shuttingDown(swap.model));
      }
    }
    const queued = this.#queue.removeWhere(() => true);
    for (const waiter of queued) {
      this.#forget(waiter);
      this.#effects.reject(
        waiter.request,
        RouterError.shuttingDown(waiter.request.model),
      );
    }
    if (queued.length > 0) this.#queueChanged();

    this.#beginStop(
      { kind: "shutdown", models: [...this.#models] },
      timeoutMs,
    );
  }

  /**
   * A queued request reached `maxWait`: from now on the models it needs
   * evicted take no new fast-path requests (see `#isHeld()`). Logs that
   * once and drains, in case the hold already unblocks something.
   */
  onTimerFired(key: string): void {
    if (this.#shuttingDown || !key.startsWith(MAX_WAIT_TIMER)) return;

    const id = Number(key.slice(MAX_WAIT_TIMER.length));
    const waiter = this.#queue.entries().find((w) => w.request.id === id);
    if (!waiter) return;

    const { model } = waiter.request;
    this.#log.info("queued request waited too long; holding its evictions", {
      model,
      id,
      waitedMs: this.#effects.now() - waiter.arrivedAt,
      hold: this.#placement.evictionFor(model),
    });
    this.#drain();
  }

  /** A process stopped on its own (crash, idle unload): it may free room. */
  onProcessChanged(change: StateChange): void {
    if (change.to !== "stopped") return;

    this.#log.debug("process stopped", {
      model: change.model,
      from: change.from,
    });
    this.#drain();
  }

  snapshot(): RouterSnapshot {
    const now = this.#effects.now();
    return {
      queue: this.#queue.entries().map((w, at) => ({
        id: w.request.id,
        model: w.request.model,
        position: at + 1,
        priority: w.priority,
        waitedMs: now - w.arrivedAt,
      })),
      inFlight: this.#inFlight.counts(),
      reserved: this.#admission.counts(),
      swaps: this.#swaps.all().map((swap) => ({
        model: swap.model,
        evict: swap.evict,
        waiters: swap.waiters.length,
        startedAt: swap.startedAt,
      })),
      unloading: this.#stops.stoppingModels(),
      shuttingDown: this.#shuttingDown,
    };
  }

  /**
   * Serves, joins or starts a load for `waiter` when its model can run now
   * (`Placement.decide()`); otherwise returns why it is blocked.
   */
  #place(waiter: Waiter): Blocked | null {
    const { model, id } = waiter.request;
    const placing = this.#placement.decide(model);
    switch (placing.kind) {
      case "join":
        placing.swap.waiters.push(waiter);
        this.#log.debug("request joined a load", {
          model,
          id,
          waiters: placing.swap.waiters.length,
        });
        return null;
      case "grant":
        this.#grant(waiter, "fast path");
        return null;
      case "swap":
        this.#startSwap(waiter, placing.running, placing.evict);
        return null;
      case "wait":
        return placing.reason;
      default:
        return placing satisfies never;
    }
  }

  #enqueue(waiter: Waiter, reason: Blocked): void {
    const position = this.#queue.insert(waiter);
    const { model, id } = waiter.request;
    this.#log.debug("request queued", { model, id, position, reason });
    this.#effects.notify({ kind: "queued", model });
    if (this.#settings.maxWaitMs > 0) {
      this.#effects.scheduleTimer(
        waiter.arrivedAt + this.#settings.maxWaitMs,
        MAX_WAIT_TIMER + id,
      );
    }

    this.#queueChanged();
    this.#abandonIdleSwaps();
  }

  /**
   * Walks the queue head to tail and places every entry that can go now,
   * against the state as the walk changes it (a swap started for one entry
   * is joined by later entries for the same model). Blocked entries keep
   * their order. Safe to call at any time.
   */
  #drain(): void {
    if (this.#shuttingDown || this.#queue.length === 0) return;

    let changed = false;
    for (const waiter of this.#queue.entries()) {
      if (this.#place(waiter) !== null) continue;

      this.#queue.remove(waiter.request.id);
      this.#cancelMaxWaitTimer(waiter);
      changed = true;
    }

    if (changed) this.#queueChanged();
  }

  #startSwap(
    waiter: Waiter,
    running: readonly string[],
    evict: readonly string[],
  ): void {
    const model = waiter.request.model;
    const swap: Swap = {
      id: this.#newId(),
      model,
      evict,
      waiters: [waiter],
      startedAt: this.#effects.now(),
    };
    this.#swaps.add(swap);

    this.#log.info("swap started", { model, evict });
    this.#planner.onSwapCommitted(model, running, evict, this.#log);
    this.#effects.notify({
      kind: "swapStarted",
      model,
      evict,
      at: swap.startedAt,
    });
    this.#effects.startSwap(swap.id, model, evict, this.#graceFor(evict, null));
  }

  /**
   * Stops loads nobody waits for any more when a queued request is blocked
   * by them: the swap is dropped, its target stopped (aborting its start),
   * and the queue drained. A load that blocks nobody is left to finish.
   */
  #abandonIdleSwaps(): void {
    let abandoned = false;
    for (const swap of this.#swaps.all()) {
      if (swap.waiters.length > 0) continue;

      const blocked = this.#placement.blockedBy(swap);
      if (blocked === null) continue;

      this.#log.info("load abandoned: nobody waits for it", {
        model: swap.model,
        blocking: blocked,
      });
      this.#dropSwap(swap, "abandoned");
      this.#beginStop({ kind: "abandon", models: [swap.model] }, null);
      abandoned = true;
    }

    if (abandoned) this.#drain();
  }

  /** Forgets `swap` and tells its task to stop waiting; waiters stay. */
  #dropSwap(swap: Swap, why: string): void {
    this.#swaps.delete(swap.model);
    this.#effects.cancelSwap(swap.id);
    this.#effects.notify({
      kind: "swapFinished",
      model: swap.model,
      ms: this.#effects.now() - swap.startedAt,
      error: why,
    });
  }

  #beginStop(job: StopJob, timeoutMs: number | null): void {
    const stopId = this.#newId();
    this.#stops.add(stopId, job);
    const grace = this.#graceFor(job.models, timeoutMs);

    if (job.kind === "shutdown") {
      this.#effects.shutdownProcesses(stopId, job.models, grace);
    } else {
      this.#effects.stopProcesses(stopId, job.models, grace);
    }
  }

  #finishShutdown(): void {
    for (const unloadId of this.#stops.clear()) {
      this.#effects.completeUnload(unloadId);
    }

    this.#log.info("shutdown finished");
    this.#effects.finishShutdown();
  }

  #grant(waiter: Waiter, how: string): void {
    const { model, id } = waiter.request;
    if (!this.#effects.grant(waiter.request, waiter.priority)) {
      this.#admission.release(model);
      this.#log.debug("caller left before its grant", { model, id });
      return;
    }

    this.#inFlight.begin(id, model);
    const waitedMs = this.#effects.now() - waiter.arrivedAt;
    this.#log.debug(how, { model, id, waitedMs });
    this.#effects.notify({ kind: "granted", model, waitedMs });
  }

  /** Answers a waiter with `error` and frees its reservation. */
  #refuse(waiter: Waiter, error: RouterError): void {
    this.#effects.reject(waiter.request, error);
    this.#admission.release(waiter.request.model);
  }

  /** Frees what a request taken out of the queue held. */
  #forget(waiter: Waiter): void {
    this.#admission.release(waiter.request.model);
    this.#cancelMaxWaitTimer(waiter);
  }

  #cancelMaxWaitTimer(waiter: Waiter): void {
    if (this.#settings.maxWaitMs > 0) {
      this.#effects.cancelTimer(MAX_WAIT_TIMER + waiter.request.id);
    }
  }

  #queueChanged(): void {
    const queue = this.#queue.entries();
    this.#effects.notifyPositions(queue.map((w) => w.request));
    this.#effects.notify({ kind: "queueChanged", depth: queue.length });
  }

  #notReadyAfterLoad(model: string): Error | null {
    const state = this.#effects.processState(model);
    if (state === "ready") return null;
    return new Error(`the process was ${state} right after it became ready`);
  }

  #graceFor(
    models: readonly string[],
    timeoutMs: number | null,
  ): Record<string, number> {
    const grace: Record<string, number> = {};
    for (const model of models) {
      grace[model] = timeoutMs !== null && timeoutMs > 0
        ? timeoutMs
        : this.#settings.models[model]?.unloadTimeoutMs ?? 0;
    }
    return grace;
  }

  #priority(model: string): number {
    return this.#settings.priority[model] ?? 0;
  }

  #newId(): number {
    return ++this.#lastId;
  }
}
