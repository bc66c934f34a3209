import assert from "node:assert/strict";
import { Prng } from "./prng.ts";

Deno.test("Prng gives the same sequence for the same seed", () => {
  const a = new Prng(42);
  const b = new Prng(42);

  const first = Array.from({ length: 5 }, () => a.next());
  const second = Array.from({ length: 5 }, () => b.next());

  assert.deepEqual(first, second);
});

Deno.test("Prng.int() stays in range and reaches both ends", () => {
  const prng = new Prng(7);

  const seen = new Set(Array.from({ length: 1000 }, () => prng.int(4)));

  assert.deepEqual([...seen].sort(), [0, 1, 2, 3]);
});

Deno.test("Prng.pick() refuses an empty list", () => {
  assert.throws(() => new Prng(1).pick([]), RangeError);
});
