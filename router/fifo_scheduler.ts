import type { Logger } from "../log/mod.ts";
import type { Planner } from "../planners/mod.ts";
import type { StateChange } from "../process/mod.ts";
import { Admission } from "./admission.ts";
import type { ConfigChange } from "./config_change.ts";
import type { Effects } from "./effects.ts";
import { RouterError } from "./errors.ts";
import type { FifoSettings } from "./fifo_settings.ts";
import { RequestFlow } from "./request_flow.ts";
import { RuleBook } from "./rule_book.ts";
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
  readonly #rules: RuleBook;
  readonly #log: Logger;
  readonly #admission = new Admission();
  readonly #stops = new StopJobs();
  readonly #flow: RequestFlow;
  #lastStopId = 0;
  #shuttingDown = false;

  constructor(options: FifoSchedulerOptions) {
    this.#effects = options.effects;
    this.#rules = new RuleBook(options.settings);
    this.#log = options.effects.log;
    this.#flow = new RequestFlow({
      effects: options.effects,
      planner: options.planner,
      settings: options.settings,
      models: this.#rules.models,
      admission: this.#admission,
      stops: this.#stops,
      onAbandoned: (swap) =>
        this.#beginStop({ kind: "abandon", models: [swap.model] }, null),
      onServedOut: (model) => this.#retireIfDrained(model),
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
    const rules = this.#rules.settings.models[model];

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
      priority: this.#rules.settings.priority[model] ?? 0,
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
      case "retire":
        this.#log.info("old process retired", { models: job.models });
        for (const model of job.models) this.#rules.forget(model);
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

    const loaded = this.#rules.loaded();
    const targets = models === null
      ? loaded
      : [...new Set(models)].filter((m) => loaded.includes(m));
    const unloaded = new Set(targets);
    this.#flow.withdraw((m) => unloaded.has(m), RouterError.unloaded);

    this.#log.info("unload started", { models: targets, timeoutMs });
    this.#beginStop({ kind: "unload", unloadId, models: targets }, timeoutMs);
    this.#flow.drain();
  }

  /**
   * Refuses every waiting and queued request with 503, then shuts every
   * process down in parallel (retiring ones too); `Effects.finishShutdown()`
   * follows once all are down. Grace: `timeoutMs` when positive, else each
   * model's `unloadTimeout`, at most `maxGraceMs` when given. A second
   * call does nothing.
   */
  onShutdownRequested(
    timeoutMs: number | null,
    maxGraceMs: number | null = null,
  ): void {
    if (this.#shuttingDown) return;

    this.#shuttingDown = true;
    this.#log.info("shutting down", { timeoutMs, maxGraceMs });
    this.#flow.withdraw(() => true, RouterError.shuttingDown);
    this.#beginStop(
      { kind: "shutdown", models: this.#rules.loaded() },
      timeoutMs,
      maxGraceMs,
    );
  }

  /**
   * A new configuration takes over, in one step:
   * 1. waiting requests for removed or moved models (the proxy resolved
   *    them against the old address) are refused with 503;
   * 2. loads of replaced models are dropped and their waiters queue again;
   * 3. the old processes of replaced and removed models drain: new
   *    requests for such a model queue until its old process has no
   *    request in flight and has been shut down (`retireProcesses`), with
   *    the grace of the old settings;
   * 4. the new processes, planner and settings are installed;
   * 5. old processes already idle retire at once, and the queue is drained
   *    by the new rules.
   * Kept models are not touched: their requests, loads and in-flight
   * counts carry on. During shutdown only the processes are installed.
   */
  onConfigReplaced(change: ConfigChange): void {
    if (this.#shuttingDown) {
      this.#effects.replaceProcesses(change.generation);
      return;
    }

    const removed = new Set(change.removed);
    const refused = new Set([...change.moved, ...change.removed]);
    this.#flow.withdraw( // 1
      (model) => refused.has(model),
      (model) =>
        RouterError.reconfigured(
          model,
          removed.has(model) ? "removed" : "moved",
        ),
    );
    const leaving = [...change.replaced, ...change.removed];
    const leavingSet = new Set(leaving);
    this.#flow.requeueLoads((model) => leavingSet.has(model)); // 2
    const grace = this.#rules.graceFor(leaving, null);
    for (const model of leaving) this.#stops.drain(model, grace[model] ?? 0); // 3

    this.#effects.replaceProcesses(change.generation); // 4
    this.#rules.replace(change.settings, change.removed);
    this.#flow.reconfigure(change.planner, change.settings, this.#rules.models);
    this.#log.info("configuration replaced", {
      replaced: change.replaced,
      removed: change.removed,
      models: this.#rules.models.length,
    });

    for (const model of leaving) this.#retireIfDrained(model); // 5
    this.#flow.drain();
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

  /**
   * Retires the old process of `model` once it drained: starts its retire
   * job when the model drains and has nothing in flight.
   */
  #retireIfDrained(model: string): void {
    if (this.#shuttingDown || this.#flow.inFlight.count(model) > 0) return;
    const graceMs = this.#stops.takeDrained(model);
    if (graceMs === null) return;

    this.#log.debug("old process drained; retiring it", { model });
    this.#beginStop({ kind: "retire", models: [model] }, graceMs);
  }

  #beginStop(
    job: StopJob,
    timeoutMs: number | null,
    maxGraceMs: number | null = null,
  ): void {
    const stopId = ++this.#lastStopId;
    this.#stops.add(stopId, job);
    const grace = this.#rules.graceFor(job.models, timeoutMs, maxGraceMs);

    switch (job.kind) {
      case "shutdown":
        this.#effects.shutdownProcesses(stopId, job.models, grace);
        break;
      case "retire":
        this.#effects.retireProcesses(stopId, job.models, grace);
        break;
      default:
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
