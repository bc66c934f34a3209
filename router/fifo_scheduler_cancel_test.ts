import assert from "node:assert/strict";
import { SchedulerRig, sharingPlanner } from "../tests/router_scheduler_rig.ts";

Deno.test("FifoScheduler.onRequestCancelled() lets the other load waiters be served", () => {
  const rig = new SchedulerRig({ models: ["a"] });
  const [first, second] = rig.arriveAll("a", "a") as [number, number];

  rig.cancel(first);
  rig.finishSwap("a");

  assert.deepEqual(rig.grantedIds, [second]);
  assert.deepEqual(rig.effects.loads, ["a"]);
  assert.deepEqual(rig.effects.cancelledSwaps, [], "the load goes on");
  rig.settle();
});

Deno.test("FifoScheduler.onRequestCancelled() frees the waiter's reservation at once", () => {
  const rig = new SchedulerRig({ models: ["a"] });
  const [first] = rig.arriveAll("a", "a") as [number, number];

  rig.cancel(first);

  assert.deepEqual(rig.scheduler.snapshot().reserved, { a: 1 });
  rig.settle();
});

Deno.test("FifoScheduler.onRequestCancelled() never loads a model for a queued request that left", () => {
  const rig = new SchedulerRig({ models: ["a", "b"] });
  rig.arrive("a");
  const b1 = rig.arrive("b");

  rig.cancel(b1);
  rig.finishSwap("a");
  rig.releaseAll();

  assert.deepEqual(rig.effects.loads, ["a"]);
  assert.deepEqual(rig.scheduler.snapshot().queue, []);
  rig.settle();
});

Deno.test("FifoScheduler.onRequestCancelled() after the grant changes nothing", () => {
  const rig = new SchedulerRig({ models: { a: { state: "ready" } } });
  const id = rig.arrive("a");

  rig.cancel(id);

  assert.deepEqual(rig.scheduler.snapshot().inFlight, { a: 1 });
  assert.deepEqual(rig.scheduler.snapshot().reserved, { a: 1 });

  rig.release(id);

  assert.deepEqual(rig.scheduler.snapshot().inFlight, {});
  rig.settle();
});

Deno.test("FifoScheduler.onRequestCancelled() of an unknown request changes nothing", () => {
  const rig = new SchedulerRig({ models: ["a"] });
  rig.arrive("a");

  rig.scheduler.onRequestCancelled(42);

  assert.equal(rig.scheduler.snapshot().swaps[0]?.waiters, 1);
  rig.settle();
});

Deno.test("FifoScheduler stops a load nobody waits for when it blocks a queued request", () => {
  const rig = new SchedulerRig({ models: ["a", "b"] });
  const a1 = rig.arrive("a");
  const b1 = rig.arrive("b");
  const aSwap = rig.pendingSwap("a");

  rig.cancel(a1);

  assert.deepEqual(rig.effects.cancelledSwaps, [aSwap]);
  assert.deepEqual(rig.effects.stops[0]?.models, ["a"]);
  assert.deepEqual(rig.effects.loads, ["a", "b"], "b starts without waiting");
  assert.deepEqual(rig.scheduler.snapshot().queue, []);

  rig.finishSwap("b");

  assert.deepEqual(rig.grantedIds, [b1]);
  rig.settle();
});

Deno.test("FifoScheduler ignores the aborted result of an abandoned load", () => {
  const rig = new SchedulerRig({ models: ["a", "b"] });
  const a1 = rig.arrive("a");
  rig.arrive("b");
  const aSwap = rig.pendingSwap("a");
  rig.cancel(a1);

  rig.scheduler.onSwapFinished(aSwap, "a", new Error("aborted"));

  assert.equal(
    rig.effects.logLines.some((l) => l.includes("swap failed")),
    false,
  );
  rig.settle();
});

Deno.test("FifoScheduler lets a load nobody waits for finish when it blocks nobody", () => {
  const rig = new SchedulerRig({
    models: ["a", "b"],
    planner: sharingPlanner(),
  });
  const a1 = rig.arrive("a");

  rig.cancel(a1);

  assert.deepEqual(rig.effects.cancelledSwaps, []);
  assert.deepEqual(rig.effects.stops, []);
  rig.settle();
});

Deno.test("FifoScheduler stops a waiterless load once a request it blocks arrives", () => {
  const rig = new SchedulerRig({ models: ["a", "b"] });
  const a1 = rig.arrive("a");
  rig.cancel(a1);
  assert.deepEqual(rig.effects.cancelledSwaps, []);

  rig.arrive("b");

  assert.equal(rig.effects.cancelledSwaps.length, 1);
  assert.deepEqual(rig.effects.loads, ["a", "b"]);
  rig.settle();
});

Deno.test("FifoScheduler queues requests for an abandoned model until its stop ends", () => {
  const rig = new SchedulerRig({ models: ["a", "b"] });
  const a1 = rig.arrive("a");
  rig.arrive("b");
  rig.cancel(a1);
  rig.finishSwap("b");
  rig.releaseAll("b");

  const a2 = rig.arrive("a");

  assert.deepEqual(rig.scheduler.snapshot().unloading, ["a"]);
  assert.deepEqual(rig.scheduler.snapshot().queue.map((q) => q.id), [a2]);

  rig.finishStop();

  assert.deepEqual(rig.effects.loads, ["a", "b", "a"]);
  rig.settle();
});

Deno.test("FifoScheduler logs an abandoned load at info", () => {
  const rig = new SchedulerRig({ models: ["a", "b"] });
  const a1 = rig.arrive("a");
  rig.arrive("b");

  rig.cancel(a1);

  assert.ok(
    rig.effects.logLines.includes(
      "[INFO] load abandoned: nobody waits for it model=a blocking=b\n",
    ),
  );
  rig.settle();
});

Deno.test("FifoScheduler does not count a caller that left before its fast-path grant", () => {
  const rig = new SchedulerRig({ models: { a: { state: "ready" } } });
  rig.effects.leavesAfterAdmission.add(1);
  rig.cancelled.add(1);

  rig.arrive("a");

  assert.deepEqual(rig.effects.admitted, [1]);
  assert.deepEqual(rig.grantedIds, []);
  assert.deepEqual(rig.scheduler.snapshot().inFlight, {});
  assert.deepEqual(rig.scheduler.snapshot().reserved, {});
  rig.settle();
});
