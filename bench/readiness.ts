/**
 * How soon a model is marked ready once its health endpoint turns 200.
 *
 *     deno run -A bench/readiness.ts [--runs 20] [--load-ms 300] [--slow-runs 5]
 *
 * The child is a plain `sleep`; the health endpoint is served by this
 * program, which knows the exact instant it starts answering 200 (the
 * simulated load time after the start). The delay measured is from that
 * instant to the `ready` state event. The baseline column models
 * llama-swap's schedule (first probe after 250 ms, then one per second).
 */
import { parseArgs } from "node:util";
import { LogBuffer, silentLogger } from "../log/mod.ts";
import { ModelProcess } from "../process/mod.ts";
import type { ModelConfig } from "../config/types.ts";
import { testModelConfig } from "../tests/model_config.ts";

export interface ReadinessBenchOptions {
  /** Starts to measure; default 20. */
  runs?: number;
  /** Simulated load time; each run adds up to 100 ms of jitter. */
  loadMs?: number;
}

/** Delays in ms over all runs. */
export interface DelayFigures {
  readonly median: number;
  readonly p95: number;
  readonly max: number;
}

export interface ReadinessFigures {
  readonly runs: number;
  readonly loadMs: number;
  /** From the instant health could first answer 200 to the ready event. */
  readonly afterHealthy: DelayFigures;
  /** From the first 200 actually sent to the ready event. */
  readonly afterFirst200: DelayFigures;
  /** llama-swap's probe schedule applied to the same load times. */
  readonly baseline: DelayFigures;
}

const LOAD_JITTER_MS = 100;

/**
 * Starts and stops a `sleep` child `runs` times behind an in-process health
 * endpoint and reports how long readiness took to notice it.
 */
export async function runReadinessBench(
  options: ReadinessBenchOptions = {},
): Promise<ReadinessFigures> {
  const runs = options.runs ?? 20;
  const loadMs = options.loadMs ?? 300;
  const health = new HealthTimeline();
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    () => health.answer(),
  );

  const afterHealthy: number[] = [];
  const afterFirst200: number[] = [];
  const baseline: number[] = [];
  try {
    for (let run = 0; run < runs; run++) {
      const load = loadMs + Math.random() * LOAD_JITTER_MS;
      const readyAt = await measureStart(server.addr.port, health, load);
      afterHealthy.push(readyAt - health.healthyAt);
      afterFirst200.push(readyAt - (health.firstOkAt ?? readyAt));
      baseline.push(llamaSwapDelay(load));
    }
  } finally {
    await server.shutdown();
  }

  return {
    runs,
    loadMs,
    afterHealthy: summarise(afterHealthy),
    afterFirst200: summarise(afterFirst200),
    baseline: summarise(baseline),
  };
}

/** The health endpoint's script for one start: 503, then 200 from a time. */
class HealthTimeline {
  healthyAt = Infinity;
  firstOkAt: number | null = null;

  reset(healthyAt: number): void {
    this.healthyAt = healthyAt;
    this.firstOkAt = null;
  }

  answer(): Response {
    const now = performance.now();
    if (now < this.healthyAt) return new Response("loading", { status: 503 });
    this.firstOkAt ??= now;
    return new Response("ok");
  }
}

/** One start and stop; resolves to the time of the ready event. */
async function measureStart(
  port: number,
  health: HealthTimeline,
  loadMs: number,
): Promise<number> {
  const process = new ModelProcess({
    config: benchConfig(port),
    logger: silentLogger,
    logs: new LogBuffer(),
  });
  let readyAt = NaN;
  process.onStateChange((change) => {
    if (change.to === "ready") readyAt = performance.now();
  });

  health.reset(performance.now() + loadMs);
  await process.ensureReady();
  await process.shutdown(1000);
  return readyAt;
}

function benchConfig(port: number): ModelConfig {
  return testModelConfig("bench", {
    cmd: "sleep 60",
    proxy: `http://127.0.0.1:${port}`,
    checkEndpoint: "/health",
    unloadTimeout: 1,
    healthCheckTimeout: 30,
  });
}

/** llama-swap probes 250 ms after the start, then every second. */
function llamaSwapDelay(loadMs: number): number {
  const probes = Math.max(0, Math.ceil((loadMs - 250) / 1000));
  return 250 + probes * 1000 - loadMs;
}

function summarise(values: readonly number[]): DelayFigures {
  const sorted = values.toSorted((a, b) => a - b);
  const rank = (p: number) =>
    sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] ??
      NaN;
  return { median: rank(0.5), p95: rank(0.95), max: rank(1) };
}

function formatTable(series: readonly ReadinessFigures[]): string {
  const ms = (value: number) => `${value.toFixed(1)} ms`.padStart(10);
  const rows = [
    `load = the given ms plus up to ${LOAD_JITTER_MS} ms of jitter per run`,
    "load (ms)   runs  measure                median       p95       max",
  ];
  for (const figures of series) {
    const label = `${figures.loadMs}+`.padEnd(10) +
      String(figures.runs).padStart(6);
    const line = (name: string, d: DelayFigures) =>
      `${label}  ${name.padEnd(20)} ${ms(d.median)}${ms(d.p95)}${ms(d.max)}`;
    rows.push(line("after healthy", figures.afterHealthy));
    rows.push(line("after first 200", figures.afterFirst200));
    rows.push(line("llama-swap (model)", figures.baseline));
    const ratio = figures.baseline.median /
      Math.max(figures.afterHealthy.median, 0.1);
    rows.push(`${label}  median ${ratio.toFixed(0)}x faster than llama-swap`);
  }
  return rows.join("\n") + "\n";
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      runs: { type: "string", default: "20" },
      "load-ms": { type: "string", default: "300" },
      "slow-runs": { type: "string", default: "5" },
    },
  });
  const series = [
    await runReadinessBench({
      runs: Number(values.runs),
      loadMs: Number(values["load-ms"]),
    }),
  ];
  const slowRuns = Number(values["slow-runs"]);
  if (slowRuns > 0) {
    series.push(await runReadinessBench({ runs: slowRuns, loadMs: 2500 }));
  }
  Deno.stdout.writeSync(new TextEncoder().encode(formatTable(series)));
}
