import assert from "node:assert/strict";
import { delay } from "../lib/mod.ts";
import { FakeClock } from "./fake_clock.ts";

Deno.test("FakeClock.tick() fires due timers in time order", () => {
  const clock = new FakeClock(0);
  const fired: string[] = [];
  clock.setTimer(() => fired.push("late"), 20);
  clock.setTimer(() => fired.push("early"), 10);

  clock.tick(15);
  assert.deepEqual(fired, ["early"]);

  clock.tick(5);
  assert.deepEqual(fired, ["early", "late"]);
  assert.equal(clock.now(), 20);
});

Deno.test("FakeClock timers can be cancelled", () => {
  const clock = new FakeClock(0);
  let fired = false;
  const cancel = clock.setTimer(() => fired = true, 10);

  cancel();
  clock.tick(100);

  assert.equal(fired, false);
  assert.equal(clock.pendingTimers, 0);
});

Deno.test("delay() rejects with the abort reason", async () => {
  const clock = new FakeClock(0);
  const controller = new AbortController();
  const waiting = delay(1_000, { clock, signal: controller.signal });

  controller.abort(new Error("gone"));

  await assert.rejects(waiting, /gone/);
  assert.equal(clock.pendingTimers, 0);
});
