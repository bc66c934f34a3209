import assert from "node:assert/strict";
import {
  exclusivePlanner,
  SchedulerRig,
  sharingPlanner,
  tablePlanner,
} from "../tests/router_scheduler_rig.ts";

Deno.test("FifoScheduler.onRequestArrived() grants a ready model at once", () => {
  const rig = new SchedulerRig({ models: { a: { state: "ready" } } });

  const id = rig.arrive("a");

  assert.deepEqual(rig.grantedIds, [id]);
  assert.deepEqual(rig.effects.loads, []);
  assert.deepEqual(rig.scheduler.snapshot().inFlight, { a: 1 });
  rig.settle();
});

Deno.test("FifoScheduler.onRequestArrived() admits before it grants", () => {
  const rig = new SchedulerRig({ models: { a: { state: "ready" } } });

  const id = rig.arrive("a");

  assert.deepEqual(rig.effects.admitted, [id]);
  rig.settle();
});

Deno.test("FifoScheduler.onRequestArrived() loads a stopped model once and grants after", () => {
  const rig = new SchedulerRig({ models: ["a"] });

  const id = rig.arrive("a");

  assert.deepEqual(rig.effects.loads, ["a"]);
  assert.deepEqual(rig.grantedIds, []);

  rig.finishSwap("a");

  assert.deepEqual(rig.grantedIds, [id]);
  rig.settle();
});

Deno.test("FifoScheduler.onRequestArrived() joins a load under way", () => {
  const rig = new SchedulerRig({ models: ["a"] });

  const ids = rig.arriveAll("a", "a", "a", "a", "a");

  assert.deepEqual(rig.effects.loads, ["a"]);
  assert.equal(rig.scheduler.snapshot().swaps[0]?.waiters, 5);

  rig.finishSwap("a");

  assert.deepEqual(rig.grantedIds, ids);
  rig.settle();
});

Deno.test("FifoScheduler.onSwapFinished() refuses every waiter when the load fails", () => {
  const rig = new SchedulerRig({ models: ["a"] });
  const [first, second] = rig.arriveAll("a", "a");

  rig.finishSwap("a", new Error("health check timed out after 5s"));

  assert.deepEqual(rig.grantedIds, []);
  for (const id of [first, second]) {
    const error = rig.rejection(id as number);
    assert.equal(error?.status, 500);
    assert.equal(error?.code, "load_failed");
    assert.match(
      error?.message ?? "",
      /Cannot load "a": health check timed out/,
    );
  }
  rig.settle();
});

Deno.test("FifoScheduler.onSwapFinished() logs a failed load as a warning", () => {
  const rig = new SchedulerRig({ models: ["a"] });
  rig.arrive("a");

  rig.finishSwap("a", new Error("upstream exited with code 1"));

  const warning = rig.effects.logLines.find((l) => l.includes("[WARN]"));
  assert.match(
    warning ?? "",
    /swap failed model=a ms=0 error="upstream exited/,
  );
  rig.settle();
});

Deno.test("FifoScheduler.onSwapFinished() tries a failed model again on the next request", () => {
  const rig = new SchedulerRig({ models: ["a"] });
  rig.arrive("a");
  rig.finishSwap("a", new Error("boom"));

  const id = rig.arrive("a");
  rig.finishSwap("a");

  assert.deepEqual(rig.effects.loads, ["a", "a"]);
  assert.deepEqual(rig.grantedIds, [id]);
  rig.settle();
});

Deno.test("FifoScheduler queues a request whose eviction collides with a load", () => {
  const rig = new SchedulerRig({ models: ["a", "b"] });
  const [a1] = rig.arriveAll("a");

  const b1 = rig.arrive("b");

  assert.deepEqual(rig.effects.loads, ["a"]);
  assert.deepEqual(rig.scheduler.snapshot().queue.map((q) => q.id), [b1]);

  rig.finishSwap("a");

  assert.deepEqual(rig.effects.loads, ["a"], "b waits while a serves");

  rig.release(a1 as number);

  assert.deepEqual(rig.effects.loads, ["a", "b"]);
  assert.deepEqual(rig.effects.swaps[1]?.evict, ["a"]);
  rig.settle();
});

Deno.test("FifoScheduler runs loads that evict nothing in parallel", () => {
  const rig = new SchedulerRig({
    models: ["a", "b"],
    planner: sharingPlanner(),
  });

  rig.arriveAll("a", "b");

  assert.deepEqual(rig.effects.loads, ["a", "b"]);
  assert.deepEqual(rig.effects.swaps.map((s) => s.evict), [[], []]);
  assert.deepEqual(rig.effects.stops, []);
  rig.settle();
});

Deno.test("FifoScheduler serialises loads that would evict the same model", () => {
  const rig = new SchedulerRig({
    models: { x: { state: "ready" }, a: {}, b: {} },
    planner: tablePlanner({ a: ["x"], b: ["x"] }),
  });

  rig.arriveAll("a", "b");

  assert.deepEqual(rig.effects.loads, ["a"]);

  rig.finishSwap("a");

  assert.deepEqual(rig.effects.loads, ["a", "b"]);
  assert.deepEqual(rig.effects.swaps[1]?.evict, [], "x is gone by then");
  rig.settle();
});

Deno.test("FifoScheduler.onSwapFinished() starts every queued load the drain unblocks", () => {
  const rig = new SchedulerRig({
    models: { a: {}, b: { state: "ready" }, c: { state: "ready" } },
    planner: tablePlanner({ a: ["b", "c"] }),
  });
  rig.arrive("a");
  assert.deepEqual(rig.effects.swaps[0]?.evict, ["b", "c"]);

  rig.arriveAll("b", "c");
  assert.equal(rig.scheduler.snapshot().queue.length, 2);

  rig.finishSwap("a");

  assert.deepEqual(rig.effects.loads, ["a", "b", "c"]);
  assert.deepEqual(rig.scheduler.snapshot().swaps.length, 2);
  rig.settle();
});

Deno.test("FifoScheduler serves A B C A B C as A A B B C C with three loads", () => {
  const rig = new SchedulerRig({ models: ["a", "b", "c"] });

  rig.arriveAll("a", "b", "c", "a", "b", "c");
  rig.finishSwap("a");
  rig.releaseAll("a");
  rig.finishSwap("b");
  rig.releaseAll("b");
  rig.finishSwap("c");

  assert.deepEqual(rig.effects.loads, ["a", "b", "c"]);
  assert.deepEqual(rig.effects.servedModels, ["a", "a", "b", "b", "c", "c"]);
  assert.deepEqual(rig.grantedIds, [1, 4, 2, 5, 3, 6]);
  rig.settle();
});

Deno.test("FifoScheduler does not evict a model until its last request ends", () => {
  const rig = new SchedulerRig({ models: { a: { state: "ready" }, b: {} } });
  const [a1, a2] = rig.arriveAll("a", "a");
  rig.arrive("b");

  rig.release(a1 as number);

  assert.deepEqual(rig.effects.loads, []);

  rig.release(a2 as number);

  assert.deepEqual(rig.effects.loads, ["b"]);
  rig.settle();
});

Deno.test("FifoScheduler lets a request for the loaded model overtake the queue", () => {
  const rig = new SchedulerRig({ models: { a: { state: "ready" }, b: {} } });
  const [a1] = rig.arriveAll("a");
  const b1 = rig.arrive("b");

  const a2 = rig.arrive("a");

  assert.deepEqual(rig.grantedIds, [a1, a2]);
  assert.deepEqual(rig.scheduler.snapshot().queue.map((q) => q.id), [b1]);

  rig.releaseAll("a");
  rig.finishSwap("b");

  assert.deepEqual(rig.grantedIds, [a1, a2, b1]);
  rig.settle();
});

Deno.test("FifoScheduler queues a request for a model a load is about to evict", () => {
  const rig = new SchedulerRig({
    models: { a: { state: "ready" }, b: {} },
    planner: tablePlanner({ b: ["a"] }),
  });
  rig.arrive("b");

  const a1 = rig.arrive("a");

  assert.deepEqual(rig.grantedIds, []);
  assert.deepEqual(rig.scheduler.snapshot().queue.map((q) => q.id), [a1]);
  rig.settle();
});

Deno.test("FifoScheduler does not count a grant its caller missed", () => {
  const rig = new SchedulerRig({ models: ["a", "b"] });
  const a1 = rig.arrive("a");
  rig.leave(a1);

  rig.finishSwap("a");

  assert.deepEqual(rig.scheduler.snapshot().inFlight, {});
  assert.deepEqual(rig.scheduler.snapshot().reserved, {});

  rig.arrive("b");

  assert.deepEqual(rig.effects.loads, ["a", "b"], "b starts at once");
  rig.scheduler.onRequestCancelled(a1);
  rig.settle();
});

Deno.test("FifoScheduler.onRequestArrived() refuses an unknown model with 404", () => {
  const rig = new SchedulerRig({ models: ["a"] });

  const id = rig.arrive("nope");

  const error = rig.rejection(id);
  assert.equal(error?.status, 404);
  assert.equal(error?.code, "model_not_found");
  assert.match(error?.message ?? "", /"nope"/);
  assert.deepEqual(rig.effects.admitted, []);
  assert.deepEqual(rig.effects.loads, []);
  rig.settle();
});

Deno.test("FifoScheduler.onRequestArrived() drops a caller that left before admission", () => {
  const rig = new SchedulerRig({ models: ["a"] });
  rig.effects.gone.add(1);
  rig.cancelled.add(1);

  rig.arrive("a");

  assert.deepEqual(rig.effects.loads, []);
  assert.deepEqual(rig.scheduler.snapshot().reserved, {});
  rig.settle();
});

Deno.test("FifoScheduler plans a model caught in an idle unload as stopped", () => {
  const rig = new SchedulerRig({
    models: { a: { state: "stopping" }, b: { state: "ready" } },
  });

  rig.arrive("a");

  assert.deepEqual(rig.effects.swaps[0]?.model, "a");
  assert.deepEqual(rig.effects.swaps[0]?.evict, ["b"]);
  rig.settle();
});

Deno.test("FifoScheduler counts a committed load as running before it shows", () => {
  const planner = exclusivePlanner();
  const rig = new SchedulerRig({
    models: { a: {}, b: { state: "ready" } },
    planner,
  });
  rig.arrive("a");

  rig.arrive("c");
  rig.arrive("b");

  assert.deepEqual(planner.committed, [{ target: "a", evict: ["b"] }]);
  assert.equal(rig.scheduler.snapshot().queue.length, 1, "b waits for a");
  rig.settle();
});

Deno.test("FifoScheduler gives each evicted model its own unload timeout as grace", () => {
  const rig = new SchedulerRig({
    models: {
      a: {},
      b: { state: "ready", unloadTimeoutMs: 45_000 },
      c: { state: "ready", unloadTimeoutMs: 5_000 },
    },
  });

  rig.arrive("a");

  assert.deepEqual(rig.effects.swaps[0]?.graceMs, { b: 45_000, c: 5_000 });
  rig.settle();
});

Deno.test("FifoScheduler logs one info line per committed swap, with the planner's", () => {
  const rig = new SchedulerRig({ models: { a: {}, b: { state: "ready" } } });

  rig.arriveAll("a", "a");

  const info = rig.effects.logLines.filter((l) => l.includes("[INFO]"));
  assert.deepEqual(info, [
    "[INFO] swap started model=a evict=b\n",
    "[INFO] planner chose target=a evict=b\n",
  ]);
  rig.settle();
});

Deno.test("FifoScheduler logs queue and join decisions at debug", () => {
  const rig = new SchedulerRig({ models: ["a", "b"] });

  rig.arriveAll("a", "a", "b");

  const debug = rig.effects.logLines.filter((l) => l.includes("[DEBUG]"));
  assert.deepEqual(debug, [
    "[DEBUG] request joined a load model=a id=2 waiters=2\n",
    "[DEBUG] request queued model=b id=3 position=1 reason=collision\n",
  ]);
  rig.settle();
});

Deno.test("FifoScheduler.onSwapFinished() logs the load time", () => {
  const rig = new SchedulerRig({ models: ["a"] });
  rig.arrive("a");
  rig.effects.time += 1_250;

  rig.finishSwap("a");

  assert.ok(
    rig.effects.logLines.includes("[INFO] swap finished model=a ms=1250\n"),
  );
  rig.settle();
});

Deno.test("FifoScheduler publishes swap, queue and grant notices", () => {
  const rig = new SchedulerRig({ models: { a: {}, b: { state: "ready" } } });
  rig.arriveAll("a", "b");
  rig.effects.time += 40;

  rig.finishSwap("a");

  assert.deepEqual(rig.effects.notices, [
    { kind: "swapStarted", model: "a", evict: ["b"], at: 1_000_000 },
    { kind: "queued", model: "b" },
    { kind: "queueChanged", depth: 1 },
    { kind: "swapFinished", model: "a", ms: 40 },
    { kind: "granted", model: "a", waitedMs: 40 },
  ]);
  rig.settle();
});

Deno.test("FifoScheduler.onSwapFinished() ignores the result of a dropped load", () => {
  const rig = new SchedulerRig({ models: ["a"] });
  rig.arrive("a");
  const swapId = rig.pendingSwap("a");
  rig.scheduler.onUnloadRequested(1, ["a"], null);

  rig.scheduler.onSwapFinished(swapId, "a", null);

  assert.deepEqual(rig.grantedIds, []);
  rig.settle();
});

Deno.test("FifoScheduler refuses waiters when the model stopped before the grant", () => {
  const rig = new SchedulerRig({ models: ["a"] });
  const id = rig.arrive("a");
  const swapId = rig.pendingSwap("a");
  rig.effects.states.set("a", "stopped");

  rig.scheduler.onSwapFinished(swapId, "a", null);

  assert.equal(rig.rejection(id)?.status, 500);
  assert.match(
    rig.rejection(id)?.message ?? "",
    /stopped right after it became ready/,
  );
  rig.finishSwap("a");
  rig.settle();
});

Deno.test("FifoScheduler.onServeFinished() ignores a request it never granted", () => {
  const rig = new SchedulerRig({ models: { a: { state: "ready" } } });
  const id = rig.arrive("a");

  rig.scheduler.onServeFinished(999);
  rig.release(id);
  rig.scheduler.onServeFinished(id);

  assert.deepEqual(rig.scheduler.snapshot().inFlight, {});
  rig.settle();
});

Deno.test("FifoScheduler.onProcessChanged() starts a queued load once the busy model crashed", () => {
  const rig = new SchedulerRig({ models: { a: { state: "ready" }, b: {} } });
  rig.arrive("a");
  rig.arrive("b");
  rig.effects.states.set("a", "stopped");

  assert.deepEqual(rig.effects.loads, [], "nothing happens before the event");

  rig.scheduler.onProcessChanged({
    model: "a",
    from: "ready",
    to: "stopped",
    at: rig.effects.time,
  });

  assert.deepEqual(rig.effects.loads, ["b"]);
  assert.deepEqual(rig.effects.swaps[0]?.evict, [], "a is already gone");
  rig.settle();
});

Deno.test("FifoScheduler.onSwapFinished() starts a queued load that only collided with the failed one", () => {
  const rig = new SchedulerRig({
    models: { a: {}, x: { state: "ready" }, b: {} },
    planner: tablePlanner({ a: ["x"], b: ["x"] }),
  });
  rig.arrive("a");
  rig.arrive("b");
  assert.deepEqual(rig.effects.loads, ["a"]);

  rig.finishSwap("a", new Error("crashed"));

  assert.deepEqual(rig.effects.loads, ["a", "b"]);
  rig.settle();
});

Deno.test("FifoScheduler.onProcessChanged() ignores changes other than to stopped", () => {
  const rig = new SchedulerRig({ models: { a: { state: "ready" } } });
  const before = rig.effects.logLines.length;

  rig.scheduler.onProcessChanged({
    model: "a",
    from: "stopped",
    to: "starting",
    at: rig.effects.time,
  });

  assert.equal(rig.effects.logLines.length, before);
  rig.settle();
});
