import assert from "node:assert/strict";
import { distribution, median, quantile } from "./stats.ts";

Deno.test("quantile() picks the nearest rank, whatever the input order", () => {
  const values = [9, 1, 8, 2, 7, 3, 6, 4, 5, 10];

  assert.equal(quantile(values, 0.5), 5);
  assert.equal(quantile(values, 0.95), 10);
  assert.equal(quantile(values, 0.1), 1);
  assert.equal(quantile(values, 1), 10);
});

Deno.test("median() of no samples is NaN", () => {
  assert.ok(Number.isNaN(median([])));
});

Deno.test("distribution() reports count, median, tail and max", () => {
  const values = Array.from({ length: 100 }, (_, i) => i + 1);

  const result = distribution(values);

  assert.deepEqual(result, {
    count: 100,
    median: 50,
    p95: 95,
    p99: 99,
    max: 100,
  });
});
