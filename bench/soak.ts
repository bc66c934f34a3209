/**
 * `deno task soak`: 40,000 mixed requests through a proxy child process
 * (three simulated models that crash every few hundred requests, streaming
 * and not, 10% client aborts, 32 at a time), then checks that nothing was
 * lost or hung, that nothing stayed in flight, and that the proxy's RSS
 * stayed flat. Writes the figures into the soak section of RESULTS.md.
 * The RSS is compared from a quarter of the way in: 20,000 requests were
 * not always enough for the heap to reach its working size (a fast run
 * ended while it still grew, 11% over its last 15 s).
 *
 *     deno task soak [--requests 40000] [--concurrency 32] [--crash-after 300]
 */
import { parseArgs } from "node:util";
import { delay } from "../lib/mod.ts";
import { type Harness, simulateCommand, startHarness } from "./harness.ts";
import { RssSampler } from "./proc_status.ts";
import { type ProxyChild, startProxyChild } from "./proxy_child.ts";
import { readResults, withSoakSection, writeResults } from "./results_file.ts";
import { runSoakLoad, type SoakCounts } from "./soak_load.ts";
import { RSS_WINDOW, soakMarkdown, soakPassed } from "./soak_report.ts";
import { median } from "./stats.ts";

export interface SoakOptions {
  readonly requests?: number;
  readonly concurrency?: number;
  /** Each simulated model exits after answering this many completions. */
  readonly crashAfter?: number;
  readonly abortShare?: number;
  readonly deadlineMs?: number;
  readonly seed?: number;
  /**
   * `child` (default) runs the proxy as a child process and samples its
   * RSS; `in-process` runs it here, so the router can be inspected.
   */
  readonly mode?: "child" | "in-process";
}

export interface SoakFigures {
  readonly requests: number;
  readonly concurrency: number;
  readonly crashAfter: number;
  readonly elapsedMs: number;
  readonly counts: SoakCounts;
  /** Model starts beyond the first three: restarts after crashes. */
  readonly restarts: number;
  /** In flight and queued once every request had settled (both 0 = clean). */
  readonly leftover: { readonly inFlight: number; readonly queued: number };
  /** Child mode only. */
  readonly rss: RssFigures | null;
}

export interface RssFigures {
  /** Median of the first samples after warm-up, KiB. */
  readonly afterWarmUpKiB: number;
  /** Median of the last samples, KiB. */
  readonly finalKiB: number;
  readonly minKiB: number;
  readonly maxKiB: number;
  /** (final - after warm-up) / after warm-up. */
  readonly drift: number;
  readonly samples: number;
}

const MODELS = ["a", "b", "c"];
/** How long in-flight counts get to return to zero after the last request. */
const SETTLE_MS = 5_000;
/** Requests a soak sends unless told otherwise. */
export const DEFAULT_REQUESTS = 40_000;
/** Share of the requests treated as warm-up for the RSS comparison. */
const WARM_UP_SHARE = 0.25;

/** Runs one soak; never throws for request failures (they are counted). */
export async function runSoak(options: SoakOptions = {}): Promise<SoakFigures> {
  const requests = options.requests ?? DEFAULT_REQUESTS;
  const concurrency = options.concurrency ?? 32;
  const crashAfter = options.crashAfter ?? 300;
  const configText = soakConfig(crashAfter);
  const load = {
    models: MODELS,
    requests,
    concurrency,
    abortShare: options.abortShare ?? 0.1,
    deadlineMs: options.deadlineMs ?? 30_000,
    seed: options.seed ?? 20_000,
  };

  if (options.mode === "in-process") {
    await using proxy = await startHarness({ configText });
    const started = performance.now();
    const counts = await runSoakLoad({ ...load, url: proxy.url });
    const elapsedMs = performance.now() - started;
    return {
      requests,
      concurrency,
      crashAfter,
      elapsedMs,
      counts,
      restarts: Math.max(0, proxy.loads() - MODELS.length),
      leftover: await settledHarness(proxy),
      rss: null,
    };
  }

  await using proxy = await startProxyChild({ configText });
  const sampler = new RssSampler(proxy.pid, 1000);
  let warmUpAt = Infinity;
  const started = performance.now();
  const counts = await runSoakLoad({
    ...load,
    url: proxy.url,
    onSettled: (settled) => {
      if (settled === Math.ceil(requests * WARM_UP_SHARE)) {
        warmUpAt = performance.now();
      }
    },
  });
  const elapsedMs = performance.now() - started;
  sampler.stop();
  const leftover = await settledChild(proxy);
  return {
    requests,
    concurrency,
    crashAfter,
    elapsedMs,
    counts,
    restarts: Math.max(0, (await metric(proxy, "llamaswap_swaps_total")) - 3),
    leftover,
    rss: rssFigures(sampler, warmUpAt),
  };
}

/** Three simulated models side by side, each crashing every `crashAfter`. */
function soakConfig(crashAfter: number): string {
  const lines = ["healthCheckTimeout: 60", "models:"];
  for (const model of MODELS) {
    const flags =
      `--model ${model} --token-ms 1 --tokens 16 --crash-after ${crashAfter}`;
    lines.push(
      `  ${model}:`,
      `    cmd: ${simulateCommand(flags)}`,
      "    proxy: http://127.0.0.1:${PORT}",
      "    unloadTimeout: 2",
      "    concurrencyLimit: 200",
    );
  }
  lines.push(
    "groups:",
    "  soak:",
    "    swap: false",
    "    exclusive: false",
    `    members: [${MODELS.join(", ")}]`,
  );
  return lines.join("\n") + "\n";
}

/** In flight and queued once the in-process proxy is quiet (or 5 s on). */
async function settledHarness(
  proxy: Harness,
): Promise<SoakFigures["leftover"]> {
  const left = await proxy.quiet();
  const counts = [
    ...Object.values(left.inFlight),
    ...Object.values(left.processInFlight),
    ...Object.values(left.reserved),
  ];
  return {
    inFlight: counts.reduce((sum, n) => sum + n, 0),
    queued: left.queued + left.swaps,
  };
}

/**
 * In flight and queued from the child's `/metrics`, once both are zero or
 * 5 s passed (checking every 20 ms).
 */
async function settledChild(
  proxy: ProxyChild,
): Promise<SoakFigures["leftover"]> {
  return await settle(async () => ({
    inFlight: await metric(proxy, "llamaswap_inflight_requests"),
    queued: await metric(proxy, "llamaswap_queue_depth"),
  }));
}

async function settle(
  read: () => SoakFigures["leftover"] | Promise<SoakFigures["leftover"]>,
): Promise<SoakFigures["leftover"]> {
  const deadline = performance.now() + SETTLE_MS;
  let now = await read();
  while ((now.inFlight > 0 || now.queued > 0) && performance.now() < deadline) {
    await delay(20);
    now = await read();
  }
  return now;
}

/** The sum of a Prometheus metric over its labels, from `/metrics`. */
async function metric(proxy: ProxyChild, name: string): Promise<number> {
  const text = await (await fetch(`${proxy.url}/metrics`)).text();
  let sum = 0;
  for (const line of text.split("\n")) {
    if (!line.startsWith(name)) continue;
    const rest = line.slice(name.length);
    if (rest[0] !== " " && rest[0] !== "{") continue;
    sum += Number(line.slice(line.lastIndexOf(" ") + 1)) || 0;
  }
  return sum;
}

function rssFigures(sampler: RssSampler, warmUpAt: number): RssFigures | null {
  const after = sampler.samples.filter((s) => s.at >= warmUpAt)
    .map((s) => s.rssKiB);
  if (after.length < 2) return null;
  const window = Math.min(RSS_WINDOW, Math.floor(after.length / 2));
  const first = median(after.slice(0, window));
  const last = median(after.slice(-window));
  return {
    afterWarmUpKiB: first,
    finalKiB: last,
    minKiB: Math.min(...after),
    maxKiB: Math.max(...after),
    drift: (last - first) / first,
    samples: after.length,
  };
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      requests: { type: "string", default: String(DEFAULT_REQUESTS) },
      concurrency: { type: "string", default: "32" },
      "crash-after": { type: "string", default: "300" },
    },
  });
  const figures = await runSoak({
    requests: Number(values.requests),
    concurrency: Number(values.concurrency),
    crashAfter: Number(values["crash-after"]),
  });
  const markdown = soakMarkdown(figures);
  await writeResults(withSoakSection(await readResults(), markdown));
  Deno.stdout.writeSync(new TextEncoder().encode(markdown));
  Deno.exit(soakPassed(figures) ? 0 : 1);
}
