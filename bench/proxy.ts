/**
 * The proxy's own cost: the same simulated upstream reached directly,
 * through our proxy (a child process) and through nginx, in one run.
 *
 *     deno run -A bench/proxy.ts [--quick]
 */
import { parseArgs } from "node:util";
import { startSimulator } from "../simulator/mod.ts";
import {
  concurrentStreams,
  sequentialLatency,
  type StreamsResult,
  throughput,
  warmUp,
} from "./load.ts";
import { startNginx } from "./nginx.ts";
import { startPlainForwarder } from "./plain_forwarder.ts";
import { readMemory, resetPeakRss, RssSampler } from "./proc_status.ts";
import { startProxyChild } from "./proxy_child.ts";
import { proxySection } from "./proxy_section.ts";
import { formatSection } from "./report.ts";
import { distribution, median } from "./stats.ts";

export interface ProxyBenchOptions {
  /** Fewer rounds and shorter runs, for a smoke test. */
  readonly quick?: boolean;
}

/** Small-request figures for one way of reaching the upstream. */
export interface PathFigures {
  /** Median over rounds of requests per second. */
  readonly rps: number;
  /** Sequential single-client latency, ms. */
  readonly p50: number;
  readonly p99: number;
  readonly failed: number;
}

/** Figures for one stream count. */
export interface StreamFigures {
  readonly streams: number;
  readonly direct: StreamSide;
  readonly proxy: StreamSide;
  /** Through the plain Hono forwarder (`plain_forwarder.ts`). */
  readonly plain: StreamSide;
  /** Peak RSS of the proxy process over the proxied runs, KiB. */
  readonly proxyPeakKiB: number;
}

export interface StreamSide {
  /** Median over rounds of the per-round TTFC p50 and p99, ms. */
  readonly ttfcP50: number;
  readonly ttfcP99: number;
  /** Median over rounds of content chunks per second over all streams. */
  readonly tokensPerSecond: number;
  readonly incomplete: number;
}

export interface ProxyFigures {
  readonly clients: number;
  readonly loopMs: number;
  readonly rounds: number;
  readonly latencySamples: number;
  readonly direct: PathFigures;
  readonly proxy: PathFigures;
  /**
   * Through a second, lean proxy: `logLevel: warn` (no access log) and
   * `captureBuffer: 0` (no request captures).
   */
  readonly lean: PathFigures;
  /** Through the plain Hono forwarder (`plain_forwarder.ts`). */
  readonly plain: PathFigures;
  /** Null when nginx is not installed. */
  readonly nginx: PathFigures | null;
  readonly nginxVersion: string | null;
  readonly streams: readonly StreamFigures[];
  readonly streamTokens: number;
  readonly streamTokenMs: number;
  /** RSS of the proxy once the models are loaded, before load, KiB. */
  readonly proxyIdleKiB: number;
}

/** Concurrent keep-alive clients for the throughput runs. */
const CLIENTS = 32;
const STREAM_TOKENS = 40;
const STREAM_TOKEN_MS = 50;
const SMALL_BODY = JSON.stringify({
  model: "small",
  messages: [{ role: "user", content: "Say hi" }],
});
const STREAM_BODY = JSON.stringify({
  model: "stream",
  stream: true,
  messages: [{ role: "user", content: "Tell me a story" }],
});

/**
 * Runs every proxy measurement: throughput and sequential latency of small
 * requests (direct, proxy, lean proxy, plain Hono forwarder, nginx,
 * interleaved round by round) and 200 and 1,000 concurrent streams
 * (direct, proxy and plain forwarder in turn).
 */
export async function runProxyBench(
  options: ProxyBenchOptions = {},
): Promise<ProxyFigures> {
  const quick = options.quick ?? false;
  const rounds = quick ? 1 : 3;
  const loopMs = quick ? 1000 : 3000;
  const latencySamples = quick ? 200 : 1500;
  await using small = await startSimulator({
    args: ["--model", "small", "--token-ms", "0", "--tokens", "4"],
  });
  await using stream = await startSimulator({
    args: [
      "--model",
      "stream",
      "--token-ms",
      String(STREAM_TOKEN_MS),
      "--tokens",
      String(STREAM_TOKENS),
    ],
  });
  await using proxy = await startProxyChild({
    configText: benchConfig(small.port, stream.port, "default"),
  });
  await using lean = await startProxyChild({
    configText: benchConfig(small.port, stream.port, "lean"),
  });
  await using plain = await startPlainForwarder({
    small: small.url,
    stream: stream.url,
  });
  const client = Deno.createHttpClient({ poolMaxIdlePerHost: 2048 });
  try {
    const path = "/v1/chat/completions";
    await warmUp(`${proxy.url}${path}`, STREAM_BODY, client);
    const proxyIdleKiB = readMemory(proxy.pid)?.rssKiB ?? 0;

    await using nginx = await startNginx(small.port);
    const targets: Record<string, string> = {
      direct: `${small.url}${path}`,
      proxy: `${proxy.url}${path}`,
      lean: `${lean.url}${path}`,
      plain: `${plain.url}${path}`,
    };
    if (nginx) targets.nginx = `${nginx.url}${path}`;
    for (const url of Object.values(targets)) {
      await warmUp(url, SMALL_BODY, client);
    }

    const latency = await sequentialLatency(targets, {
      body: SMALL_BODY,
      samples: latencySamples,
      client,
    });
    const rps = await throughput(targets, {
      body: SMALL_BODY,
      clients: CLIENTS,
      rounds,
      loopMs,
      client,
    });
    const pathFigures = (name: string): PathFigures => ({
      rps: median(rps.get(name)?.values ?? []),
      p50: distribution(latency.get(name) ?? []).median,
      p99: distribution(latency.get(name) ?? []).p99,
      failed: rps.get(name)?.failed ?? 0,
    });

    const streams: StreamFigures[] = [];
    for (const count of [200, 1000]) {
      streams.push(
        await streamRuns(count, {
          direct: `${stream.url}${path}`,
          proxy: `${proxy.url}${path}`,
          plain: `${plain.url}${path}`,
          proxyPid: proxy.pid,
          rounds: quick ? 1 : 2,
          client,
        }),
      );
    }

    return {
      clients: CLIENTS,
      loopMs,
      rounds,
      latencySamples,
      direct: pathFigures("direct"),
      proxy: pathFigures("proxy"),
      lean: pathFigures("lean"),
      plain: pathFigures("plain"),
      nginx: nginx ? pathFigures("nginx") : null,
      nginxVersion: nginx?.version ?? null,
      streams,
      streamTokens: STREAM_TOKENS,
      streamTokenMs: STREAM_TOKEN_MS,
      proxyIdleKiB,
    };
  } finally {
    client.close();
  }
}

/**
 * Two models that run side by side, served by the simulators the
 * benchmark started (the model's own command only holds its place).
 * `lean` turns the access log and request captures off.
 */
function benchConfig(
  smallPort: number,
  streamPort: number,
  settings: "default" | "lean",
): string {
  const model = (id: string, port: number) =>
    [
      `  ${id}:`,
      "    cmd: sleep 86400",
      `    proxy: http://127.0.0.1:${port}`,
      "    concurrencyLimit: 5000",
    ].join("\n");
  return [
    "healthCheckTimeout: 60",
    ...(settings === "lean" ? ["logLevel: warn", "captureBuffer: 0"] : []),
    "models:",
    model("small", smallPort),
    model("stream", streamPort),
    "groups:",
    "  bench:",
    "    swap: false",
    "    members: [small, stream]",
    "",
  ].join("\n");
}

async function streamRuns(
  count: number,
  options: {
    direct: string;
    proxy: string;
    plain: string;
    proxyPid: number;
    rounds: number;
    client: Deno.HttpClient;
  },
): Promise<StreamFigures> {
  const direct: StreamsResult[] = [];
  const proxied: StreamsResult[] = [];
  const plain: StreamsResult[] = [];
  let peakKiB = 0;
  const run = (url: string) =>
    concurrentStreams({
      url,
      body: STREAM_BODY,
      streams: count,
      tokensPerStream: STREAM_TOKENS,
      client: options.client,
    });

  // One unmeasured batch per path first, so that every hop has its
  // connections pooled, as in a service already running; the small-request
  // loops warm up the same way.
  for (const url of [options.direct, options.proxy, options.plain]) {
    await run(url);
  }
  for (let round = 0; round < options.rounds; round++) {
    direct.push(await run(options.direct));
    const reset = resetPeakRss(options.proxyPid);
    const sampler = new RssSampler(options.proxyPid, 100);
    proxied.push(await run(options.proxy));
    sampler.stop();
    const hwm = reset ? readMemory(options.proxyPid)?.peakKiB ?? 0 : 0;
    peakKiB = Math.max(peakKiB, hwm, sampler.maxKiB);
    plain.push(await run(options.plain));
  }

  return {
    streams: count,
    direct: streamSide(direct),
    proxy: streamSide(proxied),
    plain: streamSide(plain),
    proxyPeakKiB: peakKiB,
  };
}

function streamSide(runs: readonly StreamsResult[]): StreamSide {
  return {
    ttfcP50: median(runs.map((r) => distribution(r.firstChunkMs).median)),
    ttfcP99: median(runs.map((r) => distribution(r.firstChunkMs).p99)),
    tokensPerSecond: median(runs.map((r) => r.tokens / (r.elapsedMs / 1000))),
    incomplete: runs.reduce((sum, r) => sum + r.streams - r.complete, 0),
  };
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: { quick: { type: "boolean", default: false } },
  });
  const section = proxySection(await runProxyBench({ quick: values.quick }));
  Deno.stdout.writeSync(new TextEncoder().encode(formatSection(section)));
}
