import assert from "node:assert/strict";
import { type Deferred, deferred } from "../lib/mod.ts";
import { CoalescedTask } from "./coalesced_task.ts";

/** A task whose runs the test ends by hand, numbered from 1. */
function manualTask() {
  const runs: Deferred<number>[] = [];
  const task = new CoalescedTask(() => {
    const run = deferred<number>();
    runs.push(run);
    return run.promise;
  });
  return { task, runs };
}

Deno.test("CoalescedTask.run() runs the task at once when idle", async () => {
  const { task, runs } = manualTask();

  const result = task.run();
  runs[0]!.resolve(1);

  assert.equal(await result, 1);
  assert.equal(task.running, false);
});

Deno.test("CoalescedTask.run() queues one more run for every call during a run", async () => {
  const { task, runs } = manualTask();
  const first = task.run();

  const second = task.run();
  const third = task.run();

  assert.equal(runs.length, 1);
  runs[0]!.resolve(1);
  assert.equal(await first, 1);
  assert.equal(runs.length, 2);
  runs[1]!.resolve(2);
  assert.equal(await second, 2);
  assert.equal(await third, 2);
  assert.equal(runs.length, 2);
});

Deno.test("CoalescedTask.run() still runs the queued run after a failed one", async () => {
  const { task, runs } = manualTask();
  const first = task.run();
  const second = task.run();

  runs[0]!.reject(new Error("broken"));

  await assert.rejects(first, /broken/);
  runs[1]!.resolve(2);
  assert.equal(await second, 2);
});
