import assert from "node:assert/strict";
import { BoundedBytes } from "./bounded_bytes.ts";

Deno.test("BoundedBytes.bytes() joins what was pushed", () => {
  const bytes = new BoundedBytes(10);

  bytes.push(Uint8Array.of(1, 2, 3));
  bytes.push(Uint8Array.of(4, 5));

  assert.deepEqual(bytes.bytes(), Uint8Array.of(1, 2, 3, 4, 5));
  assert.equal(bytes.seen, 5);
});

Deno.test("BoundedBytes keeps a whole array as it is and copies a view out of a larger buffer", () => {
  const whole = Uint8Array.of(1, 2, 3);
  const kept = new BoundedBytes(10);
  kept.push(whole);
  assert.equal(
    kept.bytes(),
    whole,
    "no copy of an array the caller hands over",
  );

  const big = new Uint8Array(64 * 1024);
  big.set([7, 8], 100);
  const viewed = new BoundedBytes(10);
  viewed.push(big.subarray(100, 102));
  big[100] = 0;
  const out = viewed.bytes()!;
  assert.deepEqual(out, Uint8Array.of(7, 8));
  assert.equal(out.buffer.byteLength, 2, "the 64 KiB buffer is not kept");
});

Deno.test("BoundedBytes drops everything once the limit is passed, but keeps counting", () => {
  const bytes = new BoundedBytes(4);

  bytes.push(Uint8Array.of(1, 2, 3));
  bytes.push(Uint8Array.of(4, 5));
  bytes.push(Uint8Array.of(6));

  assert.equal(bytes.overflowed, true);
  assert.equal(bytes.bytes(), null);
  assert.equal(bytes.seen, 6);
});

Deno.test("BoundedBytes with limit 0 keeps an empty body and drops any byte", () => {
  const empty = new BoundedBytes(0);
  const some = new BoundedBytes(0);

  some.push(Uint8Array.of(1));

  assert.deepEqual(empty.bytes(), new Uint8Array());
  assert.equal(some.bytes(), null);
});

Deno.test("BoundedBytes joins many small chunks into one array of the exact size", () => {
  const bytes = new BoundedBytes(1 << 20);
  const expected: number[] = [];
  for (let i = 0; i < 1000; i++) {
    const chunk = Uint8Array.of(i % 256, (i * 7) % 256, 1);
    expected.push(...chunk);
    bytes.push(chunk);
  }

  const out = bytes.bytes()!;
  assert.deepEqual(out, Uint8Array.from(expected));
  assert.equal(out.buffer.byteLength, 3000, "no spare room is kept");
  assert.equal(bytes.bytes(), out, "asked again, the same array");
});

Deno.test("BoundedBytes still drops everything when a stream passes the limit", () => {
  const bytes = new BoundedBytes(10);
  for (let i = 0; i < 3; i++) bytes.push(Uint8Array.of(1, 2, 3));
  assert.deepEqual(bytes.bytes(), Uint8Array.of(1, 2, 3, 1, 2, 3, 1, 2, 3));
  bytes.push(Uint8Array.of(4, 5));
  assert.equal(bytes.bytes(), null);
  assert.equal(bytes.seen, 11);
});
