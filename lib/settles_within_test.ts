import assert from "node:assert/strict";
import { FakeClock } from "../tests/fake_clock.ts";
import { settlesWithin } from "./settles_within.ts";

Deno.test("settlesWithin() is true when the promise settles in time", async () => {
  const clock = new FakeClock(0);

  const result = await settlesWithin(Promise.reject(new Error("x")), 10, clock);

  assert.equal(result, true);
  assert.equal(clock.pendingTimers, 0);
});

Deno.test("settlesWithin() is false when the time runs out first", async () => {
  const clock = new FakeClock(0);
  const never = new Promise<void>(() => {});

  const waiting = settlesWithin(never, 10, clock);
  clock.tick(10);

  assert.equal(await waiting, false);
});
