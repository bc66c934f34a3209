import { deepStrictEqual, strictEqual } from "node:assert/strict";
import { FakeClock } from "../tests/fake_clock.ts";
import { IdleTimer } from "./idle_timer.ts";

function idleTimer(delayMs: number) {
  const clock = new FakeClock();
  const fired: number[] = [];
  const timer = new IdleTimer({
    delayMs,
    clock,
    onIdle: () => fired.push(clock.now()),
  });
  return { clock, fired, timer };
}

Deno.test("IdleTimer.arm() runs onIdle once the delay has passed", () => {
  const { clock, fired, timer } = idleTimer(60_000);

  timer.arm();
  clock.tick(59_999);
  deepStrictEqual(fired.length, 0);

  clock.tick(1);
  deepStrictEqual(fired.length, 1);
  strictEqual(timer.armed, false);
});

Deno.test("IdleTimer.arm() restarts the idle period when called again", () => {
  const { clock, fired, timer } = idleTimer(1000);

  timer.arm();
  clock.tick(800);
  timer.arm();
  clock.tick(800);
  strictEqual(fired.length, 0);

  clock.tick(200);
  strictEqual(fired.length, 1);
  strictEqual(clock.pendingTimers, 0);
});

Deno.test("IdleTimer.disarm() keeps onIdle from running", () => {
  const { clock, fired, timer } = idleTimer(1000);

  timer.arm();
  timer.disarm();
  clock.tick(5000);

  strictEqual(fired.length, 0);
  strictEqual(clock.pendingTimers, 0);
});

Deno.test("IdleTimer.arm() does nothing when the delay is zero", () => {
  const { clock, fired, timer } = idleTimer(0);

  timer.arm();
  clock.tick(1_000_000);

  strictEqual(fired.length, 0);
  strictEqual(timer.armed, false);
});
