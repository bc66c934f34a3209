import assert from "node:assert/strict";
import {
  formatClock,
  formatCount,
  formatDuration,
  formatRate,
  UNKNOWN,
} from "./format.js";

Deno.test("formatDuration() picks milliseconds, seconds or minutes", () => {
  assert.equal(formatDuration(850.4), "850 ms");
  assert.equal(formatDuration(1250), "1.25 s");
  assert.equal(formatDuration(125_000), "2m 05s");
  assert.equal(formatDuration(-1), UNKNOWN);
  assert.equal(formatDuration(null), UNKNOWN);
});

Deno.test("formatRate() shows unknown (-1) and zero rates as a dash", () => {
  assert.equal(formatRate(42.66), "42.7");
  assert.equal(formatRate(250.4), "250");
  assert.equal(formatRate(-1), UNKNOWN);
  assert.equal(formatRate(0), UNKNOWN);
});

Deno.test("formatCount() groups thousands and hides -1", () => {
  assert.equal(formatCount(12345), "12,345");
  assert.equal(formatCount(0), "0");
  assert.equal(formatCount(-1), UNKNOWN);
});

Deno.test("formatClock() prints the local time of day and passes bad text through", () => {
  const at = new Date(2026, 0, 2, 3, 4, 5).getTime();

  assert.equal(formatClock(at), "03:04:05");
  assert.equal(formatClock(new Date(at).toISOString()), "03:04:05");
  assert.equal(formatClock("not a time"), "not a time");
});
