import assert from "node:assert/strict";
import { progressText } from "./progress_text.ts";

Deno.test("progressText() shows elapsed time as a share of the usual load", () => {
  assert.equal(
    progressText(5_535, 12_300),
    "Loading ~45% (usually takes 12.3s)",
  );
  assert.equal(progressText(0, 8_000), "Loading ~0% (usually takes 8.0s)");
});

Deno.test("progressText() stops at 99% when the load runs long", () => {
  assert.equal(
    progressText(12_000, 12_000),
    "Loading ~99% (usually takes 12.0s)",
  );
  assert.equal(
    progressText(90_000, 1_000),
    "Loading ~99% (usually takes 1.0s)",
  );
});

Deno.test("progressText() shows 0% for a start time in the future", () => {
  assert.equal(progressText(-500, 4_000), "Loading ~0% (usually takes 4.0s)");
});
