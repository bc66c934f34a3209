/**
 * Swap churn: interleaved requests over three mutually exclusive simulated
 * models, and how long a request for another model waits behind a steady
 * stream, with and without `maxWait`.
 *
 *     deno run -A bench/churn.ts [--quick]
 */
import { parseArgs } from "node:util";
import type { StateChange } from "../process/mod.ts";
import {
  chat,
  type ChatOutcome,
  simulateCommand,
  startHarness,
} from "./harness.ts";
import { churnSection } from "./churn_section.ts";
import { formatSection } from "./report.ts";
import { median } from "./stats.ts";

export interface ChurnBenchOptions {
  readonly quick?: boolean;
}

/** One interleaved workload. */
export interface InterleavedRun {
  readonly requests: number;
  /** ms between arrivals; 0 = all sent at once. */
  readonly gapMs: number;
  readonly loads: number;
  readonly totalMs: number;
  readonly failed: number;
}

/** One run of the starvation workload. */
export interface StarvationRun {
  /** `maxWait` in seconds; 0 = off. */
  readonly maxWait: number;
  /** How long the other model's request took, ms. */
  readonly waitMs: number;
  /** How long the steady stream ran, ms. */
  readonly streamMs: number;
  /** The slowest request of the steady stream, ms. */
  readonly slowestStreamMs: number;
  readonly failed: number;
}

export interface ChurnFigures {
  readonly burst: InterleavedRun;
  readonly staggered: InterleavedRun;
  /** `--load-ms` of the simulated models. */
  readonly simulatedLoadMs: number;
  /** Median load (starting to ready), ms. */
  readonly loadMs: number;
  /** Median stop (stopping to stopped), ms. */
  readonly stopMs: number;
  /** Median request time on a ready model, ms. */
  readonly serveMs: number;
  readonly starvation: readonly StarvationRun[];
}

const MODELS = ["a", "b", "c"];
/** Simulated load time after the simulator's own start. */
const LOAD_MS = 100;

/** Runs the interleaved and starvation workloads, each on a fresh proxy. */
export async function runChurnBench(
  options: ChurnBenchOptions = {},
): Promise<ChurnFigures> {
  const quick = options.quick ?? false;
  const requests = quick ? 30 : 60;
  const timing = { load: [] as number[], stop: [] as number[] };

  const burst = await interleaved(requests, 0, timing);
  const staggered = await interleaved(requests, 100, timing);
  const serveMs = await serveTime();
  const streamMs = quick ? 3000 : 6000;
  const starvation = [
    await starve(0, streamMs),
    await starve(1, streamMs),
  ];

  return {
    burst,
    staggered,
    simulatedLoadMs: LOAD_MS,
    loadMs: median(timing.load),
    stopMs: median(timing.stop),
    serveMs,
    starvation,
  };
}

function churnConfig(maxWait: number, flags: string): string {
  const lines = [
    "healthCheckTimeout: 60",
    "logLevel: warn",
    "routing:",
    "  scheduler:",
    "    settings:",
    "      fifo:",
    `        maxWait: ${maxWait}`,
    "models:",
  ];
  for (const model of MODELS) {
    lines.push(
      `  ${model}:`,
      `    cmd: ${simulateCommand(`--model ${model} ${flags}`)}`,
      "    proxy: http://127.0.0.1:${PORT}",
      "    unloadTimeout: 2",
      "    concurrencyLimit: 1000",
    );
  }
  return lines.join("\n") + "\n";
}

/** `requests` requests for a, b, c, a, b, c, ... `gapMs` apart. */
async function interleaved(
  requests: number,
  gapMs: number,
  timing: { load: number[]; stop: number[] },
): Promise<InterleavedRun> {
  await using proxy = await startHarness({
    configText: churnConfig(0, `--load-ms ${LOAD_MS} --token-ms 5 --tokens 8`),
  });

  const started = performance.now();
  const pending: Promise<ChatOutcome>[] = [];
  for (let i = 0; i < requests; i++) {
    pending.push(chat(proxy.url, MODELS[i % MODELS.length]!));
    if (gapMs > 0) await pause(gapMs);
  }
  const outcomes = await Promise.all(pending);
  const totalMs = performance.now() - started;

  timing.load.push(...durations(proxy.changes, "starting", "ready"));
  timing.stop.push(...durations(proxy.changes, "stopping", "stopped"));
  return {
    requests,
    gapMs,
    loads: proxy.loads(),
    totalMs,
    failed: outcomes.filter((o) => o.status !== 200).length,
  };
}

/** Median time of a request to a model that is already ready. */
async function serveTime(): Promise<number> {
  await using proxy = await startHarness({
    configText: churnConfig(0, `--load-ms ${LOAD_MS} --token-ms 5 --tokens 8`),
  });
  await chat(proxy.url, "a");
  const times: number[] = [];
  for (let i = 0; i < 10; i++) times.push((await chat(proxy.url, "a")).ms);
  return median(times);
}

/**
 * Four clients keep model a busy for `streamMs` (each request about
 * 200 ms, started 50 ms apart so one is always in flight) while one
 * request for b arrives 300 ms in.
 */
async function starve(
  maxWait: number,
  streamMs: number,
): Promise<StarvationRun> {
  await using proxy = await startHarness({
    configText: churnConfig(maxWait, "--token-ms 20 --tokens 10"),
  });
  await chat(proxy.url, "a");

  const started = performance.now();
  const end = started + streamMs;
  const streamTimes: number[] = [];
  let failed = 0;
  const client = async (offset: number) => {
    await pause(offset);
    while (performance.now() < end) {
      const outcome = await chat(proxy.url, "a");
      streamTimes.push(outcome.ms);
      if (outcome.status !== 200) failed++;
    }
  };
  const clients = [0, 50, 100, 150].map(client);
  await pause(300);
  const other = await chat(proxy.url, "b");
  await Promise.all(clients);
  if (other.status !== 200) failed++;

  return {
    maxWait,
    waitMs: other.ms,
    streamMs,
    slowestStreamMs: Math.max(...streamTimes),
    failed,
  };
}

/** Durations between each change into `from` and the next into `to`. */
function durations(
  changes: readonly StateChange[],
  from: StateChange["to"],
  to: StateChange["to"],
): number[] {
  const out: number[] = [];
  const since = new Map<string, number>();
  for (const change of changes) {
    if (change.to === from) since.set(change.model, change.at);
    const began = since.get(change.model);
    if (change.to === to && began !== undefined) {
      out.push(change.at - began);
      since.delete(change.model);
    }
  }
  return out;
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: { quick: { type: "boolean", default: false } },
  });
  const section = churnSection(await runChurnBench({ quick: values.quick }));
  Deno.stdout.writeSync(new TextEncoder().encode(formatSection(section)));
}
