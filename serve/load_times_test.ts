import assert from "node:assert/strict";
import type { ProcessState } from "../process/mod.ts";
import { LoadTimes } from "./load_times.ts";

function change(from: ProcessState, to: ProcessState, at: number) {
  return { model: "qwen", from, to, at };
}

Deno.test("LoadTimes.expectedMs() is null before any load finished", () => {
  const times = new LoadTimes();

  times.observe(change("stopped", "starting", 0));

  assert.equal(times.expectedMs("qwen"), null);
});

Deno.test("LoadTimes.expectedMs() is the median of recent loads", () => {
  const times = new LoadTimes();

  for (const [start, end] of [[0, 900], [1000, 4000], [5000, 6100]]) {
    times.observe(change("stopped", "starting", start!));
    times.observe(change("starting", "ready", end!));
  }

  assert.equal(times.expectedMs("qwen"), 1100);
});

Deno.test("LoadTimes ignores starts that failed", () => {
  const times = new LoadTimes();

  times.observe(change("stopped", "starting", 0));
  times.observe(change("starting", "stopped", 500));
  times.observe(change("stopped", "starting", 1000));
  times.observe(change("starting", "ready", 1200));

  assert.equal(times.expectedMs("qwen"), 200);
});
