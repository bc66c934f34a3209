import assert from "node:assert/strict";
import type { Logger } from "../log/mod.ts";
import type { Planner } from "../planners/mod.ts";
import type { ProcessState } from "../process/mod.ts";
import { FifoScheduler, type ModelRules } from "../router/mod.ts";
import { RecordingEffects } from "./router_recording_effects.ts";

/** A planner from a function, recording every committed swap. */
export class FakePlanner implements Planner {
  readonly committed: { target: string; evict: string[] }[] = [];
  /** Every target `evictionFor()` was asked about, in order. */
  readonly asked: string[] = [];
  readonly #evict: (target: string, running: readonly string[]) => string[];

  constructor(evict: (target: string, running: readonly string[]) => string[]) {
    this.#evict = evict;
  }

  evictionFor(target: string, running: readonly string[]): string[] {
    this.asked.push(target);
    if (running.includes(target)) return [];
    return this.#evict(target, running);
  }

  onSwapCommitted(
    target: string,
    _running: readonly string[],
    evict: readonly string[],
    log: Logger,
  ): void {
    this.committed.push({ target, evict: [...evict] });
    log.info("planner chose", { target, evict });
  }
}

/** Every model excludes every other (one swap group). */
export function exclusivePlanner(): FakePlanner {
  return new FakePlanner((_target, running) => [...running]);
}

/** Models run side by side; nothing is ever evicted. */
export function sharingPlanner(): FakePlanner {
  return new FakePlanner(() => []);
}

/** `target` evicts the running models listed for it. */
export function tablePlanner(
  table: Record<string, readonly string[]>,
): FakePlanner {
  return new FakePlanner((target, running) =>
    running.filter((model) => table[target]?.includes(model))
  );
}

export interface RigModel {
  state?: ProcessState;
  concurrencyLimit?: number;
  unloadTimeoutMs?: number;
}

export interface RigOptions {
  /** Model name -> its settings; a string array means all defaults. */
  models: Record<string, RigModel> | readonly string[];
  planner?: FakePlanner;
  priority?: Record<string, number>;
  maxWaitMs?: number;
}

/**
 * A `FifoScheduler` driven by hand against `RecordingEffects`, with helpers
 * that play the part of clients, swap tasks and stops. `settle()` ends
 * everything and checks the invariants every scenario must keep.
 */
export class SchedulerRig {
  readonly effects: RecordingEffects;
  readonly planner: FakePlanner;
  readonly scheduler: FifoScheduler;
  /** Requests whose caller sent a cancel. */
  readonly cancelled = new Set<number>();
  readonly #models: string[];
  readonly #finishedSwaps = new Set<number>();
  readonly #finishedStops = new Set<number>();
  readonly #released = new Set<number>();
  #lastId = 0;

  constructor(options: RigOptions) {
    const models: Record<string, RigModel> = Array.isArray(options.models)
      ? Object.fromEntries(options.models.map((m) => [m, {}]))
      : options.models as Record<string, RigModel>;
    this.#models = Object.keys(models);

    this.effects = new RecordingEffects();
    const rules: Record<string, ModelRules> = {};
    for (const [model, rig] of Object.entries(models)) {
      this.effects.states.set(model, rig.state ?? "stopped");
      rules[model] = {
        concurrencyLimit: rig.concurrencyLimit ?? 10,
        unloadTimeoutMs: rig.unloadTimeoutMs ?? 10_000,
      };
    }
    this.planner = options.planner ?? exclusivePlanner();
    this.scheduler = new FifoScheduler({
      effects: this.effects,
      planner: this.planner,
      settings: {
        models: rules,
        priority: options.priority ?? {},
        maxWaitMs: options.maxWaitMs ?? 0,
      },
    });
  }

  /** A client asks for `model`; returns the request ID. */
  arrive(model: string): number {
    const id = ++this.#lastId;
    this.scheduler.onRequestArrived({ id, model });
    return id;
  }

  /** Several clients, in order. */
  arriveAll(...models: string[]): number[] {
    return models.map((model) => this.arrive(model));
  }

  /** The client leaves and its cancel event is handled. */
  cancel(id: number): void {
    this.effects.gone.add(id);
    this.cancelled.add(id);
    this.scheduler.onRequestCancelled(id);
  }

  /** The client leaves, but its cancel event is still on its way. */
  leave(id: number): void {
    this.effects.gone.add(id);
    this.cancelled.add(id);
  }

  /** The latest swap started for `model` and not yet finished. */
  pendingSwap(model: string): number {
    const swap = this.effects.swaps.findLast((s) =>
      s.model === model && !this.#finishedSwaps.has(s.swapId)
    );
    assert.ok(swap, `no swap pending for "${model}"`);
    return swap.swapId;
  }

  /**
   * The swap task for `model` ends: on success its evictions are stopped
   * and the model is ready; on failure the model is stopped.
   */
  finishSwap(model: string, error: Error | null = null): void {
    this.#finishSwap(this.pendingSwap(model), error);
  }

  #finishSwap(swapId: number, error: Error | null): void {
    const swap = this.effects.swaps.find((s) => s.swapId === swapId);
    assert.ok(swap, `no swap ${swapId}`);
    const model = swap.model;
    this.#finishedSwaps.add(swapId);
    for (const evicted of swap.evict) {
      this.effects.states.set(evicted, "stopped");
    }
    this.effects.states.set(model, error ? "stopped" : "ready");
    this.scheduler.onSwapFinished(swapId, model, error);
  }

  /** The client of request `id` is done (ignored until it is granted). */
  release(id: number): void {
    if (this.effects.granted.some((grant) => grant.id === id)) {
      this.#released.add(id);
    }
    this.scheduler.onServeFinished(id);
  }

  /** Releases every granted request for `model` not yet released. */
  releaseAll(model?: string): void {
    for (const grant of [...this.effects.granted]) {
      if (this.#released.has(grant.id)) continue;
      if (model !== undefined && grant.model !== model) continue;
      this.release(grant.id);
    }
  }

  /** Stops still running, oldest first. */
  pendingStops(): number[] {
    return this.effects.stops
      .filter((s) => !this.#finishedStops.has(s.stopId))
      .map((s) => s.stopId);
  }

  /** Stop job `stopId` (default: the oldest pending) ends. */
  finishStop(stopId = this.pendingStops()[0]): void {
    assert.ok(stopId !== undefined, "no stop pending");
    const stop = this.effects.stops.find((s) => s.stopId === stopId);
    this.#finishedStops.add(stopId);
    for (const model of stop?.models ?? []) {
      this.effects.states.set(model, stop?.shutdown ? "shutdown" : "stopped");
    }
    this.scheduler.onStopFinished(stopId);
  }

  /** Advances the clock and fires the timers that came due, in order. */
  tick(ms: number): void {
    this.effects.time += ms;
    const due = [...this.effects.timers]
      .filter(([, at]) => at <= this.effects.time)
      .sort((a, b) => a[1] - b[1]);
    for (const [key] of due) {
      this.effects.timers.delete(key);
      this.scheduler.onTimerFired(key);
    }
  }

  /** IDs granted so far, in grant order. */
  get grantedIds(): number[] {
    return this.effects.granted.map((grant) => grant.id);
  }

  /** The error `id` was refused with, or undefined. */
  rejection(id: number) {
    return this.effects.rejected.find((r) => r.id === id)?.error;
  }

  /**
   * Ends everything still going (leases released, swaps finished, stops
   * finished) and checks the invariants: nothing in flight, no
   * reservation, no queue, no swap, and every request answered exactly
   * once unless its caller left first.
   */
  settle(): void {
    for (let round = 0; round < 100; round++) {
      const before = this.#progress();
      this.releaseAll();
      for (const swap of [...this.effects.swaps]) {
        if (this.#finishedSwaps.has(swap.swapId)) continue;
        const dropped = this.effects.cancelledSwaps.includes(swap.swapId);
        this.#finishSwap(swap.swapId, dropped ? new Error("aborted") : null);
      }
      for (const stopId of this.pendingStops()) this.finishStop(stopId);
      if (this.#progress() === before) break;
    }

    const snapshot = this.scheduler.snapshot();
    assert.deepEqual(snapshot.inFlight, {}, "requests left in flight");
    assert.deepEqual(snapshot.reserved, {}, "reservations left");
    assert.deepEqual(snapshot.queue, [], "requests left queued");
    assert.deepEqual(snapshot.swaps, [], "swaps left");
    assert.equal(this.effects.timers.size, 0, "timers left");

    for (let id = 1; id <= this.#lastId; id++) {
      const grants = this.effects.granted.filter((g) => g.id === id).length;
      const refusals = this.effects.rejected.filter((r) => r.id === id).length;
      const answers = grants + refusals;
      assert.ok(answers <= 1, `request ${id} answered ${answers} times`);
      if (!this.cancelled.has(id)) {
        assert.equal(answers, 1, `request ${id} never answered`);
      }
    }
  }

  #progress(): string {
    return [
      this.#released.size,
      this.#finishedSwaps.size,
      this.#finishedStops.size,
      this.effects.swaps.length,
      this.effects.stops.length,
    ].join();
  }

  /** Every model this rig was built with. */
  get models(): readonly string[] {
    return this.#models;
  }
}
