import assert from "node:assert/strict";
import { SampleRing } from "./sample_ring.ts";

function ringOf(capacity: number, ats: number[]): SampleRing<string> {
  const ring = new SampleRing<string>(capacity);
  for (const at of ats) ring.push(at, `s${at}`);
  return ring;
}

Deno.test("SampleRing.push() evicts the oldest value past the capacity", () => {
  const ring = ringOf(3, [1, 2, 3, 4, 5]);

  assert.deepEqual(ring.after(null), ["s3", "s4", "s5"]);
  assert.equal(ring.size, 3);
});

Deno.test("SampleRing.after() keeps values stamped strictly later, oldest first", () => {
  const ring = ringOf(5, [10, 20, 30]);

  assert.deepEqual(ring.after(20), ["s30"]);
  assert.deepEqual(ring.after(19), ["s20", "s30"]);
  assert.deepEqual(ring.after(30), []);
  assert.deepEqual(ring.after(0), ["s10", "s20", "s30"]);
});

Deno.test("SampleRing.resize() keeps the newest values that fit", () => {
  const ring = ringOf(4, [1, 2, 3, 4, 5, 6]);

  ring.resize(2);
  ring.push(7, "s7");

  assert.deepEqual(ring.after(null), ["s6", "s7"]);
  assert.equal(ring.capacity, 2);

  ring.resize(5);
  ring.push(8, "s8");
  assert.deepEqual(ring.after(null), ["s6", "s7", "s8"]);
});

Deno.test("SampleRing refuses a capacity that is not a positive integer", () => {
  assert.throws(() => new SampleRing(0), RangeError);
  assert.throws(() => ringOf(2, []).resize(1.5), RangeError);
});
