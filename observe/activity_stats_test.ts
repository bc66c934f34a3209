import assert from "node:assert/strict";
import { buildHistogram, percentile } from "./activity_stats.ts";

Deno.test("buildHistogram() is null without values", () => {
  assert.equal(buildHistogram([]), null);
});

Deno.test("buildHistogram() puts equal values in one bin of size zero", () => {
  const histogram = buildHistogram([7, 7, 7]);

  assert.deepEqual(histogram, {
    bins: [3],
    min: 7,
    max: 7,
    binSize: 0,
    p50: 7,
    p95: 7,
    p99: 7,
  });
});

Deno.test("buildHistogram() uses at least five equal bins and closes the last", () => {
  const histogram = buildHistogram([10, 20, 30, 40, 50, 60])!;

  assert.equal(histogram.bins.length, 5);
  assert.equal(histogram.binSize, 10);
  assert.deepEqual(histogram.bins, [1, 1, 1, 1, 2]);
});

Deno.test("buildHistogram() grows bins with log2 of the count up to twenty", () => {
  const values = (n: number) => Array.from({ length: n }, (_, i) => i);

  assert.equal(buildHistogram(values(100))!.bins.length, 8);
  assert.equal(buildHistogram(values(600_000))!.bins.length, 20);
  assert.equal(
    buildHistogram(values(100))!.bins.reduce((a, b) => a + b),
    100,
  );
});

Deno.test("percentile() interpolates between neighbouring ranks", () => {
  const sorted = [10, 20, 30, 40];

  assert.equal(percentile(sorted, 50), 25);
  assert.equal(percentile(sorted, 0), 10);
  assert.equal(percentile(sorted, 100), 40);
  assert.ok(Math.abs(percentile(sorted, 95) - 38.5) < 1e-9);
});
