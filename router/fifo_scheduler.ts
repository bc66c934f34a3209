import type { Logger } from "../log/mod.ts";
import type { Planner } from "../planners/mod.ts";
import type { StateChange } from "../process/mod.ts";
import { Admission } from "./admission.ts";
import type { Effects } from "./effects.ts";
import { RouterError } from "./errors.ts";
import { type FifoSettings, graceFor } from "./fifo_settings.ts";
import { RequestFlow } from "./request_flow.ts";
import type { PendingRequest } from "./request.ts";
import type { Scheduler } from "./scheduler.ts";
import type { RouterSnapshot } from "./snapshot.ts";
import { type StopJob, StopJobs } from "./stop_jobs.ts";

export interface FifoSchedulerOptions {
  effects: Effects;
  planner: Planner;
  settings: FifoSettings;
}

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
 * exclusive models are served `A A B B C C` with three loads. This class
 * guards admission and runs unloads and shutdown; `RequestFlow` carries
 * admitted requests from arrival to their answer.
 */
export class FifoScheduler implements Scheduler {
  readonly #effects: Effects;
  readonly #settings: FifoSettings;
  readonly #log: Logger;
  /** Every model, sorted. */
  readonly #models: readonly string[];
  readonly #admission = new Admission();
  readonly #stops = new StopJobs();
  readonly #flow: RequestFlow;
  #lastStopId = 0;
  #shuttingDown = false;

  constructor(options: FifoSchedulerOptions) {
    this.#effects = options.effects;
    this.#settings = options.settings;
    this.#log = options.effects.log;
    this.#models = Object.keys(options.settings.models).sort();
    this.#flow = new RequestFlow({
      effects: options.effects,
      planner: options.planner,
      settings: options.settings,
      models: this.#models,
      admission: this.#admission,
      stops: this.#stops,
      onAbandoned: (swap) =>
        this.#beginStop({ kind: "abandon", models: [swap.model] }, null),
    });
  }

  /**
   * Admission, then the decision:
   * 1. refused with 503 while shutting down;
   * 2. refused with 404 for a model this router does not serve;
   * 3. refused with 429 when the model's reservations are at its limit;
   * 4. dropped without a trace when the caller left before admission;
   * 5. otherwise reserved, then served, joined, loaded or queued.
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
    const limit = rules.concurrencyLimit;
    if (!this.#admission.tryReserve(model, limit)) { // 3
      this.#log.debug("request over the concurrency limit refused", {
        model,
        id,
        limit,
      });
      this.#effects.reject(request, RouterError.overLimit(model, limit));
      return;
    }
    if (!this.#effects.admit(request)) { // 4
      this.#admission.release(model);
      this.#log.debug("caller left before admission", { model, id });
      return;
    }

    this.#flow.accept({ // 5
      request,
      priority: this.#settings.priority[model] ?? 0,
      arrivedAt: this.#effects.now(),
    });
  }

  /** See `RequestFlow.cancel()`. */
  onRequestCancelled(requestId: number): void {
    this.#flow.cancel(requestId);
  }

  /** See `RequestFlow.finishSwap()`. */
  onSwapFinished(swapId: number, model: string, error: Error | null): void {
    this.#flow.finishSwap(swapId, model, error);
  }

  /** See `RequestFlow.finishServe()`. */
  onServeFinished(requestId: number): void {
    this.#flow.finishServe(requestId);
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

    this.#flow.drain();
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
    this.#flow.withdraw((m) => unloaded.has(m), RouterError.unloaded);

    this.#log.info("unload started", { models: targets, timeoutMs });
    this.#beginStop({ kind: "unload", unloadId, models: targets }, timeoutMs);
    this.#flow.drain();
  }

  /**
   * Refuses every waiting and queued request with 503, then shuts every
   * process down in parallel; `Effects.finishShutdown()` follows once all
   * are down. A second call does nothing.
   */
  onShutdownRequested(timeoutMs: number | null): void {
    if (this.#shuttingDown) return;

    this.#shuttingDown = true;
    this.#log.info("shutting down", { timeoutMs });
    this.#flow.withdraw(() => true, RouterError.shuttingDown);
    this.#beginStop(
      { kind: "shutdown", models: [...this.#models] },
      timeoutMs,
    );
  }

  /**
   * A queued request reached `maxWait`: from now on the models it needs
   * evicted take no new fast-path requests (`Placement.isHeld()`). Logs
   * that once and drains, in case the hold already unblocks something.
   */
  onTimerFired(key: string): void {
    const waiter = this.#flow.overdue(key);
    if (this.#shuttingDown || !waiter) return;

    const { model, id } = waiter.request;
    this.#log.info("queued request waited too long; holding its evictions", {
      model,
      id,
      waitedMs: this.#effects.now() - waiter.arrivedAt,
      hold: this.#flow.placement.evictionFor(model),
    });
    this.#flow.drain();
  }

  /** A process stopped on its own (crash, idle unload): it may free room. */
  onProcessChanged(change: StateChange): void {
    if (change.to !== "stopped" || this.#shuttingDown) return;

    this.#log.debug("process stopped", {
      model: change.model,
      from: change.from,
    });
    this.#flow.drain();
  }

  snapshot(): RouterSnapshot {
    const now = this.#effects.now();
    const flow = this.#flow;
    return {
      queue: flow.queue.entries().map((w, at) => ({
        id: w.request.id,
        model: w.request.model,
        position: at + 1,
        priority: w.priority,
        waitedMs: now - w.arrivedAt,
      })),
      inFlight: flow.inFlight.counts(),
      reserved: this.#admission.counts(),
      swaps: flow.swaps.all().map((swap) => ({
        model: swap.model,
        evict: swap.evict,
        waiters: swap.waiters.length,
        startedAt: swap.startedAt,
      })),
      unloading: this.#stops.stoppingModels(),
      shuttingDown: this.#shuttingDown,
    };
  }

  #beginStop(job: StopJob, timeoutMs: number | null): void {
    const stopId = ++this.#lastStopId;
    this.#stops.add(stopId, job);
    const grace = graceFor(this.#settings, job.models, timeoutMs);

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
}
