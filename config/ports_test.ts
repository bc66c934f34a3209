import assert from "node:assert/strict";
import { compareBytes, PortAllocator } from "./ports.ts";

Deno.test("compareBytes() orders IDs by UTF-8 bytes", () => {
  const ids = [
    "model2",
    "author/model:F16",
    "model1",
    "Zeta",
    "\u{1F600}",
    "\uFF21",
  ];

  ids.sort(compareBytes);

  assert.deepEqual(ids, [
    "Zeta",
    "author/model:F16",
    "model1",
    "model2",
    "\uFF21",
    "\u{1F600}",
  ]);
});

Deno.test("PortAllocator.take() counts up from the start port", () => {
  const ports = new PortAllocator(9000);

  assert.deepEqual([ports.take(), ports.take(), ports.take()], [
    9000,
    9001,
    9002,
  ]);
});
