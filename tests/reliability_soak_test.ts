/**
 * A short soak as a regular test: 1,000 mixed requests through an
 * in-process proxy whose three simulated models crash every 100 answers,
 * with 10% client aborts. The long run is `deno task soak`.
 */
import assert from "node:assert/strict";
import { runSoak } from "../bench/mod.ts";

Deno.test("1,000 mixed requests with crashes and aborts lose nothing and leave nothing in flight", async () => {
  const figures = await runSoak({
    requests: 1000,
    concurrency: 16,
    crashAfter: 100,
    mode: "in-process",
    seed: 1000,
  });
  const { counts } = figures;

  assert.equal(counts.lost, 0, `lost: ${counts.lostExamples.join("; ")}`);
  assert.equal(counts.hung, 0);
  assert.deepEqual(figures.leftover, { inFlight: 0, queued: 0 });
  assert.equal(
    counts.ok + counts.refused + counts.aborted + counts.cut,
    figures.requests,
  );
  assert.ok(counts.ok > 800, `only ${counts.ok} answered`);
  assert.ok(counts.aborted > 0, "no client aborted");
  assert.ok(figures.restarts > 0, "no model crashed");
});
