import assert from "node:assert/strict";
import { SchedulerRig, tablePlanner } from "../tests/router_scheduler_rig.ts";

function priorityRig(): SchedulerRig {
  return new SchedulerRig({
    models: {
      z: {},
      a: { state: "ready" },
      b: { state: "ready" },
      c: { state: "ready" },
      d: { state: "ready" },
    },
    priority: { a: 10, b: 5, c: 5, d: 1 },
  });
}

Deno.test("FifoScheduler queues higher priorities first, equal ones in arrival order", () => {
  const rig = priorityRig();
  rig.arrive("z");

  rig.arriveAll("b", "d", "c", "a");

  const queue = rig.scheduler.snapshot().queue;
  assert.deepEqual(queue.map((q) => q.model), ["a", "b", "c", "d"]);
  assert.deepEqual(queue.map((q) => q.priority), [10, 5, 5, 1]);
  rig.settle();
});

Deno.test("FifoScheduler loads queued models in priority order", () => {
  const rig = priorityRig();
  rig.arrive("z");
  rig.arriveAll("b", "d", "c", "a");

  rig.finishSwap("z");
  rig.releaseAll();
  for (const model of ["a", "b", "c", "d"]) {
    rig.finishSwap(model);
    rig.releaseAll();
  }

  assert.deepEqual(rig.effects.loads, ["z", "a", "b", "c", "d"]);
  rig.settle();
});

Deno.test("FifoScheduler hands each grant its model's priority", () => {
  const rig = new SchedulerRig({
    models: { a: { state: "ready" }, b: { state: "ready" } },
    priority: { a: 7 },
    planner: tablePlanner({}),
  });

  rig.arriveAll("a", "b");

  assert.deepEqual(rig.effects.granted.map((g) => g.priority), [7, 0]);
  rig.settle();
});

Deno.test("FifoScheduler does not let priority reorder the waiters of a load", () => {
  const rig = new SchedulerRig({ models: ["a"], priority: { a: 3 } });

  const ids = rig.arriveAll("a", "a", "a");
  rig.finishSwap("a");

  assert.deepEqual(rig.grantedIds, ids);
  rig.settle();
});

Deno.test("FifoScheduler publishes the 1-based queue positions that changed", () => {
  const rig = new SchedulerRig({ models: ["a", "b", "c", "d"] });
  rig.arrive("a");
  const [b1, c1, d1] = rig.arriveAll("b", "c", "d") as [number, number, number];

  rig.cancel(b1);

  assert.deepEqual(rig.effects.positions.get(b1), [1]);
  assert.deepEqual(rig.effects.positions.get(c1), [2, 1]);
  assert.deepEqual(rig.effects.positions.get(d1), [3, 2]);
  rig.settle();
});

Deno.test("FifoScheduler moves positions up when the head of the queue is served", () => {
  const rig = new SchedulerRig({ models: ["a", "b", "c"] });
  rig.arrive("a");
  const [, c1] = rig.arriveAll("b", "c") as [number, number];

  rig.finishSwap("a");
  rig.releaseAll("a");

  assert.deepEqual(rig.effects.positions.get(c1), [2, 1]);
  rig.settle();
});

Deno.test("FifoScheduler tells only the entries behind a new arrival of a higher priority", () => {
  const rig = new SchedulerRig({
    models: ["a", "b", "c", "d"],
    priority: { d: 5 },
  });
  rig.arrive("a");
  const [b1, c1] = rig.arriveAll("b", "c") as [number, number];

  const d1 = rig.arrive("d");

  assert.deepEqual(rig.effects.positions.get(d1), [1]);
  assert.deepEqual(rig.effects.positions.get(b1), [1, 2]);
  assert.deepEqual(rig.effects.positions.get(c1), [2, 3]);
  rig.settle();
});

Deno.test("FifoScheduler decides once per blocked model when the queue drains", () => {
  const rig = new SchedulerRig({ models: ["a", "b", "c"] });
  rig.arrive("a");
  rig.arriveAll("b", "c", "b", "c", "b");
  rig.planner.asked.length = 0;

  rig.finishSwap("a");

  assert.deepEqual(rig.planner.asked, ["b", "c"]);
  assert.equal(rig.scheduler.snapshot().queue.length, 5);
  rig.settle();
});

Deno.test("FifoScheduler sends no queue position to a request that joins a load", () => {
  const rig = new SchedulerRig({ models: ["a", "b"] });
  const [a1, a2] = rig.arriveAll("a", "a") as [number, number];

  rig.arrive("b");

  assert.equal(rig.effects.positions.has(a1), false);
  assert.equal(rig.effects.positions.has(a2), false);
  rig.settle();
});

/** A keeps one request in flight at all times while B waits. */
function overlappingStream(rig: SchedulerRig, seconds: number): void {
  let current = rig.arrive("a");
  for (let second = 0; second < seconds; second++) {
    rig.tick(1_000);
    const next = rig.arrive("a");
    rig.release(current);
    current = next;
  }
}

Deno.test("FifoScheduler without maxWait lets a busy model starve a queued request", () => {
  const rig = new SchedulerRig({ models: { a: { state: "ready" }, b: {} } });
  rig.arrive("a");
  rig.arrive("b");

  overlappingStream(rig, 300);

  assert.deepEqual(rig.effects.loads, []);
  assert.equal(rig.scheduler.snapshot().queue[0]?.waitedMs, 300_000);
  rig.settle();
});

Deno.test("FifoScheduler with maxWait serves a queued request despite a busy model", () => {
  const rig = new SchedulerRig({
    models: { a: { state: "ready" }, b: {} },
    maxWaitMs: 60_000,
  });
  const first = rig.arrive("a");
  const b1 = rig.arrive("b");
  rig.release(first);

  overlappingStream(rig, 300);

  assert.deepEqual(rig.effects.loads, ["b"]);
  assert.equal(rig.effects.swaps[0]?.evict.join(), "a");
  rig.finishSwap("b");
  assert.ok(rig.grantedIds.includes(b1));
  rig.releaseAll("b");
  assert.deepEqual(rig.effects.loads, ["b", "a"], "held requests load a again");
  rig.settle();
});

Deno.test("FifoScheduler with maxWait queues new requests for the held model", () => {
  const rig = new SchedulerRig({
    models: { a: { state: "ready" }, b: {} },
    maxWaitMs: 60_000,
  });
  rig.arrive("a");
  rig.arrive("b");
  rig.tick(60_000);

  const late = rig.arrive("a");

  assert.equal(rig.grantedIds.includes(late), false);
  assert.deepEqual(rig.scheduler.snapshot().queue.map((q) => q.model), [
    "b",
    "a",
  ]);
  rig.settle();
});

Deno.test("FifoScheduler with maxWait serves the held model normally before the deadline", () => {
  const rig = new SchedulerRig({
    models: { a: { state: "ready" }, b: {} },
    maxWaitMs: 60_000,
  });
  rig.arrive("a");
  rig.arrive("b");
  rig.tick(59_999);

  const early = rig.arrive("a");

  assert.ok(rig.grantedIds.includes(early));
  rig.settle();
});

Deno.test("FifoScheduler with maxWait holds only models the overdue request needs evicted", () => {
  const rig = new SchedulerRig({
    models: { a: { state: "ready" }, b: {}, c: { state: "ready" } },
    planner: tablePlanner({ b: ["a"] }),
    maxWaitMs: 60_000,
  });
  rig.arrive("a");
  rig.arrive("b");
  rig.tick(60_000);

  const c1 = rig.arrive("c");

  assert.ok(rig.grantedIds.includes(c1));
  rig.settle();
});

Deno.test("FifoScheduler schedules a maxWait timer per queued request and cancels it when served", () => {
  const rig = new SchedulerRig({
    models: { a: { state: "ready" }, b: {} },
    maxWaitMs: 60_000,
  });
  rig.arrive("a");
  const b1 = rig.arrive("b");

  assert.deepEqual([...rig.effects.timers], [[`maxWait:${b1}`, 1_060_000]]);

  rig.releaseAll("a");

  assert.equal(rig.effects.timers.size, 0);
  rig.settle();
});

Deno.test("FifoScheduler sets no timers when maxWait is off", () => {
  const rig = new SchedulerRig({ models: { a: { state: "ready" }, b: {} } });
  rig.arrive("a");

  rig.arrive("b");

  assert.equal(rig.effects.timers.size, 0);
  rig.settle();
});

Deno.test("FifoScheduler.onTimerFired() logs the overdue request and what it holds", () => {
  const rig = new SchedulerRig({
    models: { a: { state: "ready" }, b: {} },
    maxWaitMs: 60_000,
  });
  rig.arrive("a");
  rig.arrive("b");

  rig.tick(60_000);

  assert.ok(
    rig.effects.logLines.includes(
      "[INFO] queued request waited too long; holding its evictions model=b id=2 waitedMs=60000 hold=a\n",
    ),
  );
  rig.settle();
});

Deno.test("FifoScheduler.onTimerFired() ignores a key it does not know", () => {
  const rig = new SchedulerRig({ models: ["a"], maxWaitMs: 1_000 });
  const before = rig.effects.logLines.length;

  rig.scheduler.onTimerFired("maxWait:77");
  rig.scheduler.onTimerFired("other");

  assert.equal(rig.effects.logLines.length, before);
  rig.settle();
});
