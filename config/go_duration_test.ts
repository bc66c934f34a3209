import assert from "node:assert/strict";
import { parseGoDuration } from "./go_duration.ts";

Deno.test("parseGoDuration() reads single and combined units", () => {
  assert.equal(parseGoDuration("5s"), 5);
  assert.equal(parseGoDuration("1m30s"), 90);
  assert.equal(parseGoDuration("1h"), 3600);
  assert.equal(parseGoDuration("1.5s"), 1.5);
  assert.equal(parseGoDuration("250ms"), 0.25);
  assert.equal(parseGoDuration("-2s"), -2);
  assert.equal(parseGoDuration("0"), 0);
});

Deno.test("parseGoDuration() refuses text Go would refuse", () => {
  for (const text of ["", "5", "s", "5 s", "5x", "1m30", ".s", "soon"]) {
    assert.equal(parseGoDuration(text), null, text);
  }
});
