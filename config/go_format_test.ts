import assert from "node:assert/strict";
import { formatGoFloat, formatGoInt } from "./go_format.ts";

Deno.test("formatGoFloat() prints short decimals without exponent", () => {
  assert.equal(formatGoFloat(0.7), "0.7");
  assert.equal(formatGoFloat(3), "3");
  assert.equal(formatGoFloat(0.0001), "0.0001");
  assert.equal(formatGoFloat(123456), "123456");
  assert.equal(formatGoFloat(-2.5), "-2.5");
});

Deno.test("formatGoFloat() switches to Go exponent form outside -4..5", () => {
  assert.equal(formatGoFloat(1e6), "1e+06");
  assert.equal(formatGoFloat(1234567), "1.234567e+06");
  assert.equal(formatGoFloat(0.00001), "1e-05");
  assert.equal(formatGoFloat(1.5e300), "1.5e+300");
  assert.equal(formatGoFloat(-1e21), "-1e+21");
});

Deno.test("formatGoFloat() names infinities and NaN as Go does", () => {
  assert.equal(formatGoFloat(Infinity), "+Inf");
  assert.equal(formatGoFloat(-Infinity), "-Inf");
  assert.equal(formatGoFloat(NaN), "NaN");
});

Deno.test("formatGoInt() prints plain digits even for large values", () => {
  assert.equal(formatGoInt(10001), "10001");
  assert.equal(formatGoInt(-5), "-5");
  assert.equal(formatGoInt(1e21), "1000000000000000000000");
});
