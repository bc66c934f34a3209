import assert from "node:assert/strict";
import {
  exclusivePlanner,
  type FakePlanner,
  SchedulerRig,
  sharingPlanner,
} from "../tests/router_scheduler_rig.ts";
import type { FifoSettings } from "./fifo_settings.ts";

interface Change {
  /** The new config's models and their unload timeouts (default 10 s). */
  models: Record<string, number>;
  replaced?: string[];
  moved?: string[];
  removed?: string[];
  planner?: FakePlanner;
  maxWaitMs?: number;
}

let generation = 0;

/** Hands `rig` a new configuration, as `Router.reconfigure()` would. */
function replaceConfig(rig: SchedulerRig, change: Change): number {
  const settings: FifoSettings = {
    models: Object.fromEntries(
      Object.entries(change.models).map(([model, unloadTimeoutMs]) => [
        model,
        { concurrencyLimit: 10, unloadTimeoutMs },
      ]),
    ),
    priority: {},
    maxWaitMs: change.maxWaitMs ?? 0,
  };
  generation++;
  rig.scheduler.onConfigReplaced({
    generation,
    settings,
    planner: change.planner ?? rig.planner,
    replaced: change.replaced ?? [],
    moved: change.moved ?? [],
    removed: change.removed ?? [],
  });
  return generation;
}

function retireCalls(rig: SchedulerRig) {
  return rig.effects.stops.filter((stop) => stop.retire);
}

Deno.test("FifoScheduler.onConfigReplaced() installs the new processes in the same step", () => {
  const rig = new SchedulerRig({ models: { a: { state: "ready" } } });

  const generation = replaceConfig(rig, { models: { a: 10_000 } });

  assert.deepEqual(rig.effects.replacedGenerations, [generation]);
  rig.settle();
});

Deno.test("FifoScheduler.onConfigReplaced() leaves a kept model serving", () => {
  const rig = new SchedulerRig({
    models: { a: { state: "ready" }, b: { state: "ready" } },
    planner: sharingPlanner(),
  });
  const streaming = rig.arrive("a");

  replaceConfig(rig, { models: { a: 10_000, b: 10_000 }, replaced: ["b"] });
  const next = rig.arrive("a");

  assert.deepEqual(rig.grantedIds, [streaming, next]);
  assert.deepEqual(rig.scheduler.snapshot().inFlight, { a: 2 });
  assert.deepEqual(retireCalls(rig).map((s) => s.models), [["b"]]);
  rig.settle();
});

Deno.test("FifoScheduler.onConfigReplaced() retires a busy replaced process only after its last request", () => {
  const rig = new SchedulerRig({
    models: { a: { state: "ready", unloadTimeoutMs: 7_000 } },
  });
  const streaming = rig.arrive("a");

  replaceConfig(rig, { models: { a: 20_000 }, replaced: ["a"] });
  const waiting = rig.arrive("a");

  assert.deepEqual(retireCalls(rig), []);
  assert.deepEqual(rig.grantedIds, [streaming]);
  assert.deepEqual(rig.scheduler.snapshot().unloading, ["a"]);

  rig.release(streaming);

  assert.deepEqual(retireCalls(rig).map((s) => s.graceMs), [{ a: 7_000 }]);
  assert.deepEqual(rig.effects.loads, []);

  rig.finishStop();

  assert.deepEqual(rig.effects.loads, ["a"]);
  rig.finishSwap("a");
  assert.deepEqual(rig.grantedIds, [streaming, waiting]);
  rig.settle();
});

Deno.test("FifoScheduler.onConfigReplaced() retires an idle replaced process at once", () => {
  const rig = new SchedulerRig({ models: { a: { state: "ready" } } });

  replaceConfig(rig, { models: { a: 10_000 }, replaced: ["a"] });

  assert.deepEqual(retireCalls(rig).map((s) => s.models), [["a"]]);
  rig.settle();
});

Deno.test("FifoScheduler.onConfigReplaced() queues the waiters of a dropped load until the old process retired", () => {
  const rig = new SchedulerRig({ models: ["a"] });
  const [first, second] = rig.arriveAll("a", "a");
  const load = rig.pendingSwap("a");

  replaceConfig(rig, { models: { a: 10_000 }, replaced: ["a"] });

  assert.deepEqual(rig.effects.cancelledSwaps, [load]);
  assert.deepEqual(rig.scheduler.snapshot().queue.map((q) => q.id), [
    first,
    second,
  ]);
  assert.deepEqual(retireCalls(rig).map((s) => s.models), [["a"]]);

  rig.finishSwap("a", new Error("aborted"));
  rig.finishStop(retireCalls(rig)[0]?.stopId);

  assert.equal(rig.effects.loads.length, 2);
  rig.finishSwap("a");
  assert.deepEqual(rig.grantedIds, [first, second]);
  rig.settle();
});

Deno.test("FifoScheduler.onConfigReplaced() refuses requests waiting for a removed model", () => {
  const rig = new SchedulerRig({
    models: { a: { state: "ready" }, b: {} },
  });
  const busy = rig.arrive("a");
  const queued = rig.arrive("b");

  replaceConfig(rig, { models: { a: 10_000 }, removed: ["b"] });

  assert.equal(rig.rejection(queued)?.status, 503);
  assert.equal(rig.rejection(queued)?.code, "model_reconfigured");
  assert.match(rig.rejection(queued)?.message ?? "", /removed/);
  assert.deepEqual(rig.grantedIds, [busy]);
  rig.settle();
});

Deno.test("FifoScheduler.onConfigReplaced() refuses requests for a removed model from then on", () => {
  const rig = new SchedulerRig({ models: { a: { state: "ready" }, b: {} } });

  replaceConfig(rig, { models: { a: 10_000 }, removed: ["b"] });
  const late = rig.arrive("b");

  assert.equal(rig.rejection(late)?.status, 404);
  rig.settle();
});

Deno.test("FifoScheduler.onConfigReplaced() lets a removed model finish its requests, then retires it with its old grace", () => {
  const rig = new SchedulerRig({
    models: { a: {}, b: { state: "ready", unloadTimeoutMs: 45_000 } },
    planner: sharingPlanner(),
  });
  const streaming = rig.arrive("b");

  replaceConfig(rig, { models: { a: 10_000 }, removed: ["b"] });

  assert.deepEqual(retireCalls(rig), []);
  rig.release(streaming);
  assert.deepEqual(retireCalls(rig).map((s) => s.graceMs), [{ b: 45_000 }]);
  rig.settle();
});

Deno.test("FifoScheduler.onConfigReplaced() refuses requests waiting for a moved model but keeps those for a replaced one", () => {
  const rig = new SchedulerRig({
    models: { a: { state: "ready" }, b: {}, c: {} },
  });
  rig.arrive("a");
  const forB = rig.arrive("b");
  const forC = rig.arrive("c");

  replaceConfig(rig, {
    models: { a: 10_000, b: 10_000, c: 10_000 },
    replaced: ["b", "c"],
    moved: ["b"],
  });

  assert.equal(rig.rejection(forB)?.code, "model_reconfigured");
  assert.equal(rig.rejection(forC), undefined);
  assert.deepEqual(rig.scheduler.snapshot().queue.map((q) => q.id), [forC]);
  rig.settle();
  assert.ok(rig.grantedIds.includes(forC));
});

Deno.test("FifoScheduler.onConfigReplaced() places queued requests by the new planner", () => {
  const rig = new SchedulerRig({
    models: { a: { state: "ready" }, b: {} },
    planner: exclusivePlanner(),
  });
  rig.arrive("a");
  const forB = rig.arrive("b");
  assert.deepEqual(rig.effects.loads, []);

  replaceConfig(rig, {
    models: { a: 10_000, b: 10_000 },
    planner: sharingPlanner(),
  });

  assert.deepEqual(rig.effects.swaps.map((s) => [s.model, s.evict]), [
    ["b", []],
  ]);
  rig.finishSwap("b");
  assert.ok(rig.grantedIds.includes(forB));
  rig.settle();
});

Deno.test("FifoScheduler.onConfigReplaced() counts a draining old process as running for other models", () => {
  const rig = new SchedulerRig({
    models: { a: { state: "ready" }, b: {} },
    planner: exclusivePlanner(),
  });
  const streaming = rig.arrive("a");

  replaceConfig(rig, { models: { a: 10_000, b: 10_000 }, replaced: ["a"] });
  rig.arrive("b");

  assert.deepEqual(rig.effects.loads, []);
  rig.release(streaming);
  assert.deepEqual(rig.effects.swaps.map((s) => [s.model, s.evict]), [
    ["b", ["a"]],
  ]);
  rig.settle();
});

Deno.test("FifoScheduler.onShutdownRequested() also stops a removed model that still drains", () => {
  const rig = new SchedulerRig({
    models: { a: {}, b: { state: "ready", unloadTimeoutMs: 30_000 } },
  });
  rig.arrive("b");
  replaceConfig(rig, { models: { a: 10_000 }, removed: ["b"] });

  rig.scheduler.onShutdownRequested(null, 20_000);

  const shutdown = rig.effects.stops.find((s) => s.shutdown);
  assert.deepEqual(shutdown?.models, ["a", "b"]);
  assert.deepEqual(shutdown?.graceMs, { a: 10_000, b: 20_000 });
  rig.settle();
});

Deno.test("FifoScheduler.onUnloadRequested() with no names includes a removed model that still drains", () => {
  const rig = new SchedulerRig({
    models: { a: {}, b: { state: "ready" } },
  });
  rig.arrive("b");
  replaceConfig(rig, { models: { a: 10_000 }, removed: ["b"] });

  rig.scheduler.onUnloadRequested(1, null, null);

  const unload = rig.effects.stops.find((s) => !s.retire && !s.shutdown);
  assert.deepEqual(unload?.models, ["a", "b"]);
  rig.settle();
});
