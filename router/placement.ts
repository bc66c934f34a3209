import type { Planner } from "../planners/mod.ts";
import type { Effects } from "./effects.ts";
import type { InFlight } from "./in_flight.ts";
import type { RequestQueue } from "./request_queue.ts";
import type { StopJobs } from "./stop_jobs.ts";
import { collidesWith, type Swap, type SwapTable } from "./swap_table.ts";

/** Why a request cannot be placed now and belongs in the queue. */
export type Blocked = "stopping" | "held" | "collision" | "busy";

/** What to do with a request for a model, given the state right now. */
export type Placing =
  | { readonly kind: "join"; readonly swap: Swap }
  | { readonly kind: "grant" }
  | {
    readonly kind: "swap";
    readonly running: readonly string[];
    readonly evict: readonly string[];
  }
  | { readonly kind: "wait"; readonly reason: Blocked };

/** The scheduler state a `Placement` reads; it never changes any of it. */
export interface PlacementState {
  readonly effects: Pick<Effects, "now" | "processState">;
  readonly planner: Planner;
  /** Every model, sorted. */
  readonly models: readonly string[];
  readonly maxWaitMs: number;
  readonly queue: RequestQueue;
  readonly swaps: SwapTable;
  readonly inFlight: InFlight;
  readonly stops: StopJobs;
}

/**
 * The FIFO decision tree, as read-only questions over the scheduler's
 * state. The planner is asked speculatively, as often as needed.
 */
export class Placement {
  #state: PlacementState;

  constructor(state: PlacementState) {
    this.#state = state;
  }

  /** Decides by a new config's planner, models and wait bound from now on. */
  reconfigure(
    next: Pick<PlacementState, "planner" | "models" | "maxWaitMs">,
  ): void {
    this.#state = { ...this.#state, ...next };
  }

  /**
   * Decides for a request for `model`:
   * 1. a load of the model is under way: join it;
   * 2. the model is being stopped: wait for the stop, then load it again;
   * 3. fast path: ready, nothing to evict and no load colliding with it:
   *    grant now, unless held for an overdue queued request;
   * 4. a load under way collides with this one: wait for it;
   * 5. a model to evict still serves requests: wait until they end;
   * 6. otherwise commit a swap.
   */
  decide(model: string): Placing {
    const { swaps, stops, planner, effects, inFlight } = this.#state;

    const swap = swaps.get(model);
    if (swap) return { kind: "join", swap }; // 1
    if (stops.isStopping(model)) return { kind: "wait", reason: "stopping" }; // 2

    const running = this.runningFor(model);
    const evict = planner.evictionFor(model, running);
    const collides = swaps.collides(model, evict);
    const ready = effects.processState(model) === "ready";
    if (ready && evict.length === 0 && !collides) { // 3
      if (this.isHeld(model)) return { kind: "wait", reason: "held" };
      return { kind: "grant" };
    }
    if (collides) return { kind: "wait", reason: "collision" }; // 4
    if (evict.some((m) => inFlight.count(m) > 0)) { // 5
      return { kind: "wait", reason: "busy" };
    }

    return { kind: "swap", running, evict }; // 6
  }

  /**
   * The models that count as running when planning for `target`: every
   * process not stopped, plus the targets of other loads under way (not
   * yet visible as starting). A target that is not ready is left out, so a
   * model caught in an idle unload is planned as the stopped model it is
   * about to be. Sorted.
   */
  runningFor(target: string): string[] {
    const { models, effects, swaps } = this.#state;
    const running = new Set<string>();
    for (const model of models) {
      const state = effects.processState(model);
      if (state === "stopped" || state === "shutdown") continue;
      if (model === target && state !== "ready") continue;
      running.add(model);
    }
    for (const model of swaps.targets()) {
      if (model !== target) running.add(model);
    }
    return [...running].sort();
  }

  /** The planner's evictions for `model` against the current state. */
  evictionFor(model: string): string[] {
    return this.#state.planner.evictionFor(model, this.runningFor(model));
  }

  /**
   * True when `model` must take no new fast-path requests: a request has
   * been queued for `maxWaitMs` or longer and needs `model` evicted. Always
   * false when the bound is off.
   */
  isHeld(model: string): boolean {
    const { maxWaitMs, effects, queue } = this.#state;
    if (maxWaitMs <= 0) return false;

    const now = effects.now();
    const asked = new Set<string>(); // each queued model's plan once
    return queue.view().some((w) => {
      const wanted = w.request.model;
      if (wanted === model || now - w.arrivedAt < maxWaitMs) return false;
      if (asked.has(wanted)) return false;
      asked.add(wanted);
      return this.evictionFor(wanted).includes(model);
    });
  }

  /** The first queued request that `swap` keeps waiting; null when none. */
  blockedBy(swap: Swap): string | null {
    const asked = new Set<string>(); // each queued model's plan once
    for (const waiter of this.#state.queue.view()) {
      const model = waiter.request.model;
      if (model === swap.model || asked.has(model)) continue;
      asked.add(model);
      if (collidesWith(swap, model, this.evictionFor(model))) return model;
    }
    return null;
  }
}
