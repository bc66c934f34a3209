import assert from "node:assert/strict";
import { BoundedBytes } from "./bounded_bytes.ts";

Deno.test("BoundedBytes.bytes() joins what was pushed, as a copy", () => {
  const bytes = new BoundedBytes(10);
  const first = Uint8Array.of(1, 2, 3);

  bytes.push(first);
  bytes.push(Uint8Array.of(4, 5));
  first[0] = 9;

  assert.deepEqual(bytes.bytes(), Uint8Array.of(1, 2, 3, 4, 5));
  assert.equal(bytes.seen, 5);
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
