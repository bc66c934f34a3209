import assert from "node:assert/strict";
import {
  FakePlanner,
  SchedulerRig,
  sharingPlanner,
} from "../tests/router_scheduler_rig.ts";

function readyRig(): SchedulerRig {
  return new SchedulerRig({
    models: {
      a: { state: "ready", unloadTimeoutMs: 45_000 },
      c: { state: "ready", unloadTimeoutMs: 25_000 },
      e: { state: "ready", unloadTimeoutMs: 10_000 },
    },
    planner: sharingPlanner(),
  });
}

Deno.test("FifoScheduler.onUnloadRequested() stops every model when none are named", () => {
  const rig = readyRig();

  rig.scheduler.onUnloadRequested(1, null, null);

  assert.deepEqual(rig.effects.stops.map((s) => s.models), [["a", "c", "e"]]);
  rig.settle();
});

Deno.test("FifoScheduler.onUnloadRequested() stops only the named models", () => {
  const rig = readyRig();

  rig.scheduler.onUnloadRequested(1, ["a"], null);

  assert.deepEqual(rig.effects.stops.map((s) => s.models), [["a"]]);
  rig.finishStop();
  assert.equal(rig.effects.processState("c"), "ready");
  rig.settle();
});

Deno.test("FifoScheduler.onUnloadRequested() gives each model its own unload timeout", () => {
  const rig = readyRig();

  rig.scheduler.onUnloadRequested(1, ["a", "e", "c"], null);

  assert.deepEqual(rig.effects.stops[0]?.graceMs, {
    a: 45_000,
    e: 10_000,
    c: 25_000,
  });
  rig.settle();
});

Deno.test("FifoScheduler.onUnloadRequested() stops all targets in parallel, whatever their timeouts", () => {
  const rig = readyRig();

  rig.scheduler.onUnloadRequested(1, ["a", "e", "c"], null);

  assert.equal(rig.effects.stops.length, 1);
  assert.deepEqual(rig.effects.stops[0]?.models, ["a", "e", "c"]);
  rig.settle();
});

Deno.test("FifoScheduler.onUnloadRequested() uses an explicit timeout for every target", () => {
  const rig = readyRig();

  rig.scheduler.onUnloadRequested(1, ["a", "c"], 1_000);

  assert.deepEqual(rig.effects.stops[0]?.graceMs, { a: 1_000, c: 1_000 });
  rig.settle();
});

Deno.test("FifoScheduler.onUnloadRequested() ignores unknown and repeated names", () => {
  const rig = readyRig();

  rig.scheduler.onUnloadRequested(1, ["nope", "a", "a"], null);

  assert.deepEqual(rig.effects.stops[0]?.models, ["a"]);
  rig.settle();
});

Deno.test("FifoScheduler completes an unload only when its stops finish", () => {
  const rig = readyRig();
  rig.scheduler.onUnloadRequested(7, ["a"], null);

  assert.deepEqual(rig.effects.completedUnloads, []);

  rig.finishStop();

  assert.deepEqual(rig.effects.completedUnloads, [7]);
  rig.settle();
});

Deno.test("FifoScheduler.onUnloadRequested() refuses the waiters of the unloaded model's load", () => {
  const rig = new SchedulerRig({ models: ["a"] });
  const id = rig.arrive("a");
  const swapId = rig.pendingSwap("a");

  rig.scheduler.onUnloadRequested(1, ["a"], null);

  assert.equal(rig.rejection(id)?.status, 500);
  assert.equal(rig.rejection(id)?.code, "model_unloaded");
  assert.match(rig.rejection(id)?.message ?? "", /"a": model unloaded/);
  assert.deepEqual(rig.effects.cancelledSwaps, [swapId]);
  assert.deepEqual(rig.effects.stops[0]?.models, ["a"]);
  rig.finishStop();
  assert.equal(rig.effects.processState("a"), "stopped");
  rig.settle();
});

Deno.test("FifoScheduler.onUnloadRequested() refuses queued requests for the model and nothing else", () => {
  const rig = new SchedulerRig({ models: ["a", "b"] });
  const a1 = rig.arrive("a");
  const b1 = rig.arrive("b");

  rig.scheduler.onUnloadRequested(1, ["b"], null);
  rig.finishSwap("a");

  assert.equal(rig.rejection(b1)?.code, "model_unloaded");
  assert.deepEqual(rig.grantedIds, [a1]);
  rig.releaseAll();
  rig.finishStop();
  assert.deepEqual(rig.effects.loads, ["a"], "b is never loaded");
  rig.settle();
});

Deno.test("FifoScheduler keeps serving other models while an unload runs", () => {
  const rig = new SchedulerRig({
    models: { a: { state: "ready" }, b: { state: "ready" }, c: {} },
    planner: sharingPlanner(),
  });
  rig.scheduler.onUnloadRequested(1, ["a"], null);

  const b1 = rig.arrive("b");
  rig.arrive("c");

  assert.deepEqual(rig.grantedIds, [b1]);
  assert.deepEqual(rig.effects.loads, ["c"]);
  rig.settle();
});

Deno.test("FifoScheduler queues a request for a model being unloaded, then loads it again", () => {
  const rig = readyRig();
  rig.scheduler.onUnloadRequested(1, ["a"], null);

  const a1 = rig.arrive("a");

  assert.deepEqual(rig.grantedIds, []);
  assert.deepEqual(rig.scheduler.snapshot().queue.map((q) => q.id), [a1]);

  rig.finishStop();
  rig.finishSwap("a");

  assert.deepEqual(rig.grantedIds, [a1]);
  rig.settle();
});

Deno.test("FifoScheduler reports models being unloaded in the snapshot", () => {
  const rig = readyRig();

  rig.scheduler.onUnloadRequested(1, ["e", "a"], null);

  assert.deepEqual(rig.scheduler.snapshot().unloading, ["a", "e"]);
  rig.finishStop();
  assert.deepEqual(rig.scheduler.snapshot().unloading, []);
  rig.settle();
});

Deno.test("FifoScheduler keeps counting requests in flight on an unloaded model", () => {
  const rig = new SchedulerRig({ models: { a: { state: "ready" }, b: {} } });
  const a1 = rig.arrive("a");
  rig.scheduler.onUnloadRequested(1, ["a"], null);
  rig.finishStop();

  const b1 = rig.arrive("b");

  assert.deepEqual(rig.scheduler.snapshot().inFlight, { a: 1 });
  assert.deepEqual(rig.effects.loads, ["b"], "a is stopped, so b starts");
  rig.release(a1);
  rig.finishSwap("b");
  assert.deepEqual(rig.grantedIds, [a1, b1]);
  rig.settle();
});

Deno.test("FifoScheduler.onShutdownRequested() refuses every waiter and queued request with 503", () => {
  const rig = new SchedulerRig({
    models: { a: {}, b: {}, c: {} },
    planner: new FakePlanner((target, running) =>
      target === "c" ? [...running] : []
    ),
  });
  const ids = rig.arriveAll("a", "a", "b", "b", "c");
  assert.deepEqual(rig.effects.loads, ["a", "b"]);

  rig.scheduler.onShutdownRequested(1_000);

  for (const id of ids) {
    assert.equal(rig.rejection(id)?.status, 503, `request ${id}`);
    assert.equal(rig.rejection(id)?.code, "shutting_down");
  }
  assert.equal(rig.effects.cancelledSwaps.length, 2);
  rig.settle();
});

Deno.test("FifoScheduler.onShutdownRequested() shuts every process down once with the given grace", () => {
  const rig = readyRig();

  rig.scheduler.onShutdownRequested(1_000);
  rig.scheduler.onShutdownRequested(5_000);

  assert.deepEqual(rig.effects.stops, [{
    stopId: 1,
    models: ["a", "c", "e"],
    graceMs: { a: 1_000, c: 1_000, e: 1_000 },
    shutdown: true,
  }]);
  rig.settle();
});

Deno.test("FifoScheduler.onShutdownRequested() without a timeout uses each unload timeout", () => {
  const rig = readyRig();

  rig.scheduler.onShutdownRequested(null);

  assert.deepEqual(rig.effects.stops[0]?.graceMs, {
    a: 45_000,
    c: 25_000,
    e: 10_000,
  });
  rig.settle();
});

Deno.test("FifoScheduler finishes shutdown only when every process is down", () => {
  const rig = readyRig();
  rig.scheduler.onShutdownRequested(null);

  assert.equal(rig.effects.shutdownsFinished, 0);

  rig.finishStop();

  assert.equal(rig.effects.shutdownsFinished, 1);
  rig.settle();
});

Deno.test("FifoScheduler refuses requests that arrive during shutdown with 503", () => {
  const rig = readyRig();
  rig.scheduler.onShutdownRequested(null);

  const id = rig.arrive("a");

  assert.equal(rig.rejection(id)?.status, 503);
  assert.deepEqual(rig.effects.admitted, []);
  rig.settle();
});

Deno.test("FifoScheduler completes an unload asked for during shutdown at once", () => {
  const rig = readyRig();
  rig.scheduler.onShutdownRequested(null);

  rig.scheduler.onUnloadRequested(3, ["a"], null);

  assert.deepEqual(rig.effects.completedUnloads, [3]);
  rig.settle();
});

Deno.test("FifoScheduler completes a pending unload when shutdown finishes", () => {
  const rig = readyRig();
  rig.scheduler.onUnloadRequested(4, ["a"], null);
  rig.scheduler.onShutdownRequested(null);

  rig.finishStop(rig.pendingStops()[1]);

  assert.deepEqual(rig.effects.completedUnloads, [4]);
  assert.equal(rig.effects.shutdownsFinished, 1);
  rig.settle();
});

Deno.test("FifoScheduler still counts leases released during shutdown", () => {
  const rig = readyRig();
  const id = rig.arrive("a");
  rig.scheduler.onShutdownRequested(null);

  rig.release(id);

  assert.deepEqual(rig.scheduler.snapshot().inFlight, {});
  assert.deepEqual(rig.scheduler.snapshot().reserved, {});
  assert.equal(rig.scheduler.snapshot().shuttingDown, true);
  rig.settle();
});
