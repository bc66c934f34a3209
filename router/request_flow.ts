import type { Logger } from "../log/mod.ts";
import type { Planner } from "../planners/mod.ts";
import type { Admission } from "./admission.ts";
import type { Effects } from "./effects.ts";
import type { PendingRequest } from "./request.ts";
import { RouterError } from "./errors.ts";
import { type FifoSettings, graceFor } from "./fifo_settings.ts";
import { InFlight } from "./in_flight.ts";
import { type Blocked, Placement } from "./placement.ts";
import { RequestQueue, type Waiter } from "./request_queue.ts";
import type { StopJobs } from "./stop_jobs.ts";
import { type Swap, SwapTable } from "./swap_table.ts";

export interface RequestFlowOptions {
  effects: Effects;
  planner: Planner;
  settings: FifoSettings;
  /** Every model, sorted. */
  models: readonly string[];
  /** Reservations; the flow releases one whenever a request ends. */
  admission: Admission;
  /** Read only: models being stopped take no new work. */
  stops: StopJobs;
  /** Called for each load dropped because nobody waits for it. */
  onAbandoned(swap: Swap): void;
  /** Called when a model's last request in flight ends, before the drain. */
  onServedOut(model: string): void;
}

const MAX_WAIT_TIMER = "maxWait:";

/**
 * The life of admitted requests inside the FIFO scheduler: placing them
 * (fast path, join, swap) or queueing them, granting or refusing them when
 * their load ends, counting them in flight, and the drain. Part of
 * `FifoScheduler`, which owns admission and stops; like it, it acts only
 * through `Effects`.
 */
export class RequestFlow {
  readonly queue = new RequestQueue();
  readonly swaps = new SwapTable();
  readonly inFlight = new InFlight();
  readonly placement: Placement;
  readonly #options: RequestFlowOptions;
  readonly #effects: Effects;
  readonly #log: Logger;
  #planner: Planner;
  #settings: FifoSettings;
  #lastSwapId = 0;

  constructor(options: RequestFlowOptions) {
    this.#options = options;
    this.#effects = options.effects;
    this.#log = options.effects.log;
    this.#planner = options.planner;
    this.#settings = options.settings;
    this.placement = new Placement({
      effects: options.effects,
      planner: options.planner,
      models: options.models,
      maxWaitMs: options.settings.maxWaitMs,
      queue: this.queue,
      swaps: this.swaps,
      inFlight: this.inFlight,
      stops: options.stops,
    });
  }

  /**
   * Places requests by a new config's planner and settings from now on.
   * Requests already queued keep their place and priority.
   */
  reconfigure(
    planner: Planner,
    settings: FifoSettings,
    models: readonly string[],
  ): void {
    this.#planner = planner;
    this.#settings = settings;
    this.placement.reconfigure({
      planner,
      models,
      maxWaitMs: settings.maxWaitMs,
    });
  }

  /** Serves, joins, loads or queues an admitted request. */
  accept(waiter: Waiter): void {
    const outcome = this.#place(waiter);
    if (!isPlaced(outcome)) this.#enqueue(waiter, outcome);
  }

  /**
   * Forgets a request whose caller left. A queued request frees its slot
   * and its place; a swap waiter frees its slot, and a load left with no
   * waiters is dropped when it blocks a queued request. A request already
   * granted or refused is not affected.
   */
  cancel(requestId: number): void {
    const queued = this.queue.remove(requestId);
    if (queued) {
      this.#forget(queued.waiter);
      this.#log.debug("queued request cancelled", {
        model: queued.waiter.request.model,
        id: requestId,
      });
      this.#queueChanged(queued.at);
      this.#abandonIdleSwaps();
      this.drain();
      return;
    }

    const swap = this.swaps.removeWaiter(requestId);
    if (swap) {
      this.#options.admission.release(swap.model);
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
   * abandoned, shut down) is ignored. Otherwise every waiter is granted,
   * or refused with the load's error, and the queue is drained.
   */
  finishSwap(swapId: number, model: string, error: Error | null): void {
    const swap = this.swaps.get(model);
    if (!swap || swap.id !== swapId) {
      this.#log.debug("result of a dropped load ignored", { model, swapId });
      return;
    }

    this.swaps.delete(model);
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

    this.drain();
  }

  /** A lease was released; at zero in flight the model may be evicted. */
  finishServe(requestId: number): void {
    const ended = this.inFlight.end(requestId);
    if (!ended) return;

    this.#options.admission.release(ended.model);
    if (ended.left > 0) return;

    this.#options.onServedOut(ended.model);
    this.drain();
  }

  /**
   * Refuses every request waiting for a model `test` accepts, queued or
   * joined to its load, with `refusal(model)`; their loads are dropped.
   */
  withdraw(
    test: (model: string) => boolean,
    refusal: (model: string) => RouterError,
  ): void {
    for (const swap of this.swaps.all()) {
      if (!test(swap.model)) continue;

      this.#dropSwap(swap, refusal(swap.model).message);
      for (const waiter of swap.waiters) {
        this.#refuse(waiter, refusal(swap.model));
      }
    }

    const queued = this.queue.removeWhere((w) => test(w.request.model));
    for (const waiter of queued) {
      this.#forget(waiter);
      this.#effects.reject(waiter.request, refusal(waiter.request.model));
    }
    if (queued.length > 0) this.#queueChanged(0);
  }

  /**
   * Drops the loads of models `test` accepts and puts their waiters back
   * in the queue (as blocked by a stop), so a later drain loads the model
   * again. Used when a new config replaces those models' processes.
   */
  requeueLoads(test: (model: string) => boolean): void {
    for (const swap of this.swaps.all()) {
      if (!test(swap.model)) continue;

      this.#dropSwap(swap, "replaced by a new configuration");
      this.#log.debug("load dropped; its waiters queue again", {
        model: swap.model,
        waiters: swap.waiters.length,
      });
      for (const waiter of swap.waiters) this.#enqueue(waiter, "stopping");
    }
  }

  /**
   * The queued request whose maxWait timer is `key`, or null when the key
   * is not such a timer or the request left the queue.
   */
  overdue(key: string): Waiter | null {
    if (!key.startsWith(MAX_WAIT_TIMER)) return null;

    const id = Number(key.slice(MAX_WAIT_TIMER.length));
    return this.queue.view().find((w) => w.request.id === id) ?? null;
  }

  /**
   * Walks the queue head to tail and places every entry that can go now,
   * against the state as the walk changes it (a swap started for one entry
   * is joined by later entries for the same model). Blocked entries keep
   * their order. Safe to call at any time.
   *
   * A model found blocked is not asked about again in the same walk until
   * a placement could have freed it: a started swap, or an overdue entry
   * leaving the queue (which may end a `maxWait` hold). Granting or
   * joining only ever adds to what blocks others (requests in flight,
   * waiters of a load). So a long queue over a few models costs about one
   * decision per model, not one per entry.
   */
  drain(): void {
    if (this.queue.length === 0) return;

    const { maxWaitMs } = this.#settings;
    const now = this.#effects.now();
    let firstChange: number | null = null;
    const blocked = new Set<string>();
    let at = 0;
    for (const waiter of this.queue.entries()) {
      const model = waiter.request.model;
      const outcome = blocked.has(model) ? null : this.#place(waiter);
      if (outcome === null || !isPlaced(outcome)) {
        blocked.add(model);
        at++;
        continue;
      }

      this.queue.remove(waiter.request.id, at);
      this.#effects.leftQueue(waiter.request);
      this.#cancelMaxWaitTimer(waiter);
      firstChange ??= at;
      const overdue = maxWaitMs > 0 && now - waiter.arrivedAt >= maxWaitMs;
      if (outcome === "swapped" || overdue) blocked.clear();
    }

    if (firstChange !== null) this.#queueChanged(firstChange);
  }

  /**
   * Serves, joins or starts a load for `waiter` when its model can run now
   * (see `Placement.decide()`); otherwise returns why it is blocked.
   */
  #place(waiter: Waiter): Blocked | Placed {
    const { model, id } = waiter.request;
    const placing = this.placement.decide(model);
    switch (placing.kind) {
      case "join":
        placing.swap.waiters.push(waiter);
        this.#log.debug("request joined a load", {
          model,
          id,
          waiters: placing.swap.waiters.length,
        });
        return "joined";
      case "grant":
        this.#grant(waiter, "fast path");
        return "granted";
      case "swap":
        this.#startSwap(waiter, placing.running, placing.evict);
        return "swapped";
      case "wait":
        return placing.reason;
      default:
        return placing satisfies never;
    }
  }

  #enqueue(waiter: Waiter, reason: Blocked): void {
    const position = this.queue.insert(waiter);
    const { model, id } = waiter.request;
    this.#log.debug("request queued", { model, id, position, reason });
    this.#effects.notify({ kind: "queued", model });
    if (this.#settings.maxWaitMs > 0) {
      this.#effects.scheduleTimer(
        waiter.arrivedAt + this.#settings.maxWaitMs,
        MAX_WAIT_TIMER + id,
      );
    }

    this.#queueChanged(position - 1);
    this.#abandonIdleSwaps();
  }

  #startSwap(
    waiter: Waiter,
    running: readonly string[],
    evict: readonly string[],
  ): void {
    const model = waiter.request.model;
    const swap: Swap = {
      id: ++this.#lastSwapId,
      model,
      evict,
      waiters: [waiter],
      startedAt: this.#effects.now(),
    };
    this.swaps.add(swap);

    this.#log.info("swap started", { model, evict });
    this.#planner.onSwapCommitted(model, running, evict, this.#log);
    this.#effects.notify({
      kind: "swapStarted",
      model,
      evict,
      at: swap.startedAt,
    });
    const grace = graceFor(this.#settings, evict, null);
    this.#effects.startSwap(swap.id, model, evict, grace);
  }

  /**
   * Drops loads nobody waits for any more when a queued request is blocked
   * by them, hands each to `onAbandoned` (which stops its target) and
   * drains. A load that blocks nobody is left to finish.
   */
  #abandonIdleSwaps(): void {
    let abandoned = false;
    for (const swap of this.swaps.all()) {
      if (swap.waiters.length > 0) continue;

      const blocked = this.placement.blockedBy(swap);
      if (blocked === null) continue;

      this.#log.info("load abandoned: nobody waits for it", {
        model: swap.model,
        blocking: blocked,
      });
      this.#dropSwap(swap, "abandoned");
      this.#options.onAbandoned(swap);
      abandoned = true;
    }

    if (abandoned) this.drain();
  }

  /** Forgets `swap` and tells its task to stop waiting; waiters stay. */
  #dropSwap(swap: Swap, why: string): void {
    this.swaps.delete(swap.model);
    this.#effects.cancelSwap(swap.id);
    this.#effects.notify({
      kind: "swapFinished",
      model: swap.model,
      ms: this.#effects.now() - swap.startedAt,
      error: why,
    });
  }

  #grant(waiter: Waiter, how: string): void {
    const { model, id } = waiter.request;
    if (!this.#effects.grant(waiter.request, waiter.priority)) {
      this.#options.admission.release(model);
      this.#log.debug("caller left before its grant", { model, id });
      return;
    }

    this.inFlight.begin(id, model);
    const waitedMs = this.#effects.now() - waiter.arrivedAt;
    this.#log.debug(how, { model, id, waitedMs });
    this.#effects.notify({ kind: "granted", model, waitedMs });
  }

  /** Answers a waiter with `error` and frees its reservation. */
  #refuse(waiter: Waiter, error: RouterError): void {
    this.#effects.reject(waiter.request, error);
    this.#options.admission.release(waiter.request.model);
  }

  /** Frees what a request taken out of the queue held. */
  #forget(waiter: Waiter): void {
    this.#options.admission.release(waiter.request.model);
    this.#cancelMaxWaitTimer(waiter);
  }

  /** Unconditional: the timer may come from a config with another bound. */
  #cancelMaxWaitTimer(waiter: Waiter): void {
    this.#effects.cancelTimer(MAX_WAIT_TIMER + waiter.request.id);
  }

  /** Publishes the positions from 0-based index `from` on, and the depth. */
  #queueChanged(from: number): void {
    const queue = this.queue.view();
    const moved: PendingRequest[] = [];
    for (let at = from; at < queue.length; at++) moved.push(queue[at]!.request);
    this.#effects.notifyPositions(moved, from + 1);
    this.#effects.notify({ kind: "queueChanged", depth: queue.length });
  }

  #notReadyAfterLoad(model: string): Error | null {
    const state = this.#effects.processState(model);
    if (state === "ready") return null;
    return new Error(`the process was ${state} right after it became ready`);
  }
}

/** What `#place()` did with a request it could place. */
type Placed = "joined" | "granted" | "swapped";

function isPlaced(outcome: Blocked | Placed): outcome is Placed {
  return outcome === "joined" || outcome === "granted" ||
    outcome === "swapped";
}
