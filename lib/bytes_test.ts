import assert from "node:assert/strict";
import { joinBytes } from "./bytes.ts";

Deno.test("joinBytes() joins chunks in order, counting them when not told the size", () => {
  const chunks = [Uint8Array.of(1, 2), new Uint8Array(0), Uint8Array.of(3)];

  assert.deepEqual(joinBytes(chunks), Uint8Array.of(1, 2, 3));
  assert.deepEqual(joinBytes(chunks, 3), Uint8Array.of(1, 2, 3));
  assert.deepEqual(joinBytes([]), new Uint8Array(0));
});
