import assert from "node:assert/strict";
import { SchedulerRig, sharingPlanner } from "../tests/router_scheduler_rig.ts";

Deno.test("FifoScheduler refuses a request over the limit with 429 and Retry-After 1", () => {
  const rig = new SchedulerRig({
    models: { a: { state: "ready", concurrencyLimit: 1 } },
  });
  const first = rig.arrive("a");

  const second = rig.arrive("a");

  const error = rig.rejection(second);
  assert.equal(error?.status, 429);
  assert.equal(error?.code, "concurrency_limit");
  assert.equal(error?.retryAfter, 1);
  assert.equal(error?.message, "Too many requests");

  rig.release(first);
  const third = rig.arrive("a");

  assert.deepEqual(rig.grantedIds, [first, third]);
  rig.settle();
});

Deno.test("FifoScheduler admits ten requests by default and refuses the eleventh", () => {
  const rig = new SchedulerRig({ models: { a: { state: "ready" } } });

  for (let i = 0; i < 11; i++) rig.arrive("a");

  assert.equal(rig.grantedIds.length, 10);
  assert.equal(rig.rejection(11)?.status, 429);
  rig.settle();
});

Deno.test("FifoScheduler honours a custom limit of two", () => {
  const rig = new SchedulerRig({
    models: { a: { state: "ready", concurrencyLimit: 2 } },
  });

  rig.arriveAll("a", "a", "a");

  assert.deepEqual(rig.grantedIds, [1, 2]);
  assert.equal(rig.rejection(3)?.status, 429);
  rig.settle();
});

Deno.test("FifoScheduler counts load waiters toward the limit", () => {
  const rig = new SchedulerRig({ models: { a: { concurrencyLimit: 2 } } });

  rig.arriveAll("a", "a", "a");
  rig.finishSwap("a");

  assert.equal(rig.rejection(3)?.status, 429);
  assert.deepEqual(rig.effects.loads, ["a"]);
  assert.deepEqual(rig.grantedIds, [1, 2]);
  rig.settle();
});

Deno.test("FifoScheduler counts queued requests toward the limit", () => {
  const rig = new SchedulerRig({
    models: { a: { concurrencyLimit: 2 }, b: {} },
  });
  const b1 = rig.arrive("b");

  rig.arriveAll("a", "a", "a");

  assert.equal(rig.rejection(4)?.status, 429);
  assert.equal(rig.scheduler.snapshot().queue.length, 2);

  rig.finishSwap("b");
  rig.release(b1);
  rig.finishSwap("a");

  assert.deepEqual(rig.effects.loads, ["b", "a"]);
  assert.deepEqual(rig.grantedIds, [b1, 2, 3]);
  rig.settle();
});

Deno.test("FifoScheduler frees the slot of a queued request that left", () => {
  const rig = new SchedulerRig({
    models: { a: { concurrencyLimit: 1 }, b: {} },
  });
  rig.arrive("b");
  const a1 = rig.arrive("a");
  rig.cancel(a1);

  const retry = rig.arrive("a");

  assert.equal(rig.rejection(retry), undefined);
  assert.deepEqual(rig.scheduler.snapshot().queue.map((q) => q.id), [retry]);
  rig.settle();
});

Deno.test("FifoScheduler refuses over the limit before admission", () => {
  const rig = new SchedulerRig({
    models: { a: { concurrencyLimit: 1 }, b: {} },
  });
  rig.arrive("b");
  rig.arrive("a");

  const third = rig.arrive("a");

  assert.equal(rig.rejection(third)?.status, 429);
  assert.equal(rig.effects.admitted.includes(third), false);
  rig.settle();
});

Deno.test("FifoScheduler frees reservations of waiters refused by a failed load", () => {
  const rig = new SchedulerRig({ models: { a: { concurrencyLimit: 2 } } });
  rig.arriveAll("a", "a");

  rig.finishSwap("a", new Error("exited"));

  assert.deepEqual(rig.scheduler.snapshot().reserved, {});
  rig.arriveAll("a", "a");
  assert.equal(
    rig.effects.rejected.filter((r) => r.error.status === 429).length,
    0,
  );
  rig.settle();
});

Deno.test("FifoScheduler keeps limits per model", () => {
  const rig = new SchedulerRig({
    models: {
      a: { state: "ready", concurrencyLimit: 1 },
      b: { state: "ready", concurrencyLimit: 1 },
    },
    planner: sharingPlanner(),
  });
  rig.arrive("a");

  const b1 = rig.arrive("b");

  assert.equal(rig.rejection(b1), undefined);
  rig.settle();
});
