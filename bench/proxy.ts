/**
 * The proxy's own cost: the same simulated upstream reached directly,
 * through our proxy (a child process) and through nginx, in one run.
 *
 *     deno run -A bench/proxy.ts [--quick]
 */
import { parseArgs } from "node:util";
import { startSimulator } from "../simulator/mod.ts";
import { closedLoop, concurrentStreams, type StreamsResult } from "./load.ts";
import { startNginx } from "./nginx.ts";
import { readMemory, resetPeakRss, RssSampler } from "./proc_status.ts";
import { startProxyChild } from "./proxy_child.ts";
import {
  checked,
  figure,
  formatSection,
  mib,
  ms,
  perSecond,
  ratio,
  type ResultSection,
} from "./report.ts";
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
  /** Through a second proxy with `logLevel: warn` (no access log). */
  readonly quiet: PathFigures;
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
 * requests (direct, proxy, nginx, interleaved round by round) and 200 and
 * 1,000 concurrent streams (direct and proxy alternating).
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
    configText: benchConfig(small.port, stream.port, "info"),
  });
  await using quiet = await startProxyChild({
    configText: benchConfig(small.port, stream.port, "warn"),
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
      quiet: `${quiet.url}${path}`,
    };
    if (nginx) targets.nginx = `${nginx.url}${path}`;
    for (const url of Object.values(targets)) {
      await warmUp(url, SMALL_BODY, client);
    }

    const latency = await sequentialLatency(targets, latencySamples, client);
    const rps = await throughput(targets, rounds, loopMs, client);
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
      quiet: pathFigures("quiet"),
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
 */
function benchConfig(
  smallPort: number,
  streamPort: number,
  logLevel: "info" | "warn",
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
    `logLevel: ${logLevel}`,
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

async function warmUp(
  url: string,
  body: string,
  client: Deno.HttpClient,
): Promise<void> {
  for (let i = 0; i < 20; i++) {
    const response = await fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body,
      client,
    });
    const text = await response.text();
    if (!response.ok) {
      throw new Error(
        `Cannot warm up "${url}": status ${response.status}: ${text}`,
      );
    }
  }
}

/** One client, requests to each target in turn, `samples` rounds. */
async function sequentialLatency(
  targets: Record<string, string>,
  samples: number,
  client: Deno.HttpClient,
): Promise<Map<string, number[]>> {
  const latencies = new Map<string, number[]>();
  for (let i = 0; i < samples; i++) {
    for (const [name, url] of Object.entries(targets)) {
      const sent = performance.now();
      const response = await fetch(url, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: SMALL_BODY,
        client,
      });
      await response.arrayBuffer();
      const list = latencies.get(name) ?? [];
      list.push(performance.now() - sent);
      latencies.set(name, list);
    }
  }
  return latencies;
}

/** Closed-loop runs, each target once per round, in turn. */
async function throughput(
  targets: Record<string, string>,
  rounds: number,
  loopMs: number,
  client: Deno.HttpClient,
): Promise<Map<string, { values: number[]; failed: number }>> {
  const results = new Map<string, { values: number[]; failed: number }>();
  for (let round = 0; round < rounds; round++) {
    for (const [name, url] of Object.entries(targets)) {
      const run = await closedLoop({
        url,
        body: SMALL_BODY,
        clients: CLIENTS,
        durationMs: loopMs,
        client,
      });
      const entry = results.get(name) ?? { values: [], failed: 0 };
      entry.values.push(run.ok / (run.elapsedMs / 1000));
      entry.failed += run.failed;
      results.set(name, entry);
    }
  }
  return results;
}

async function streamRuns(
  count: number,
  options: {
    direct: string;
    proxy: string;
    proxyPid: number;
    rounds: number;
    client: Deno.HttpClient;
  },
): Promise<StreamFigures> {
  const direct: StreamsResult[] = [];
  const proxied: StreamsResult[] = [];
  let peakKiB = 0;
  const run = (url: string) =>
    concurrentStreams({
      url,
      body: STREAM_BODY,
      streams: count,
      tokensPerStream: STREAM_TOKENS,
      client: options.client,
    });

  for (let round = 0; round < options.rounds; round++) {
    direct.push(await run(options.direct));
    const reset = resetPeakRss(options.proxyPid);
    const sampler = new RssSampler(options.proxyPid, 100);
    proxied.push(await run(options.proxy));
    sampler.stop();
    const hwm = reset ? readMemory(options.proxyPid)?.peakKiB ?? 0 : 0;
    peakKiB = Math.max(peakKiB, hwm, sampler.maxKiB);
  }

  return {
    streams: count,
    direct: streamSide(direct),
    proxy: streamSide(proxied),
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

/** The figures as a results section, each target checked. */
export function proxySection(figures: ProxyFigures): ResultSection {
  const { direct, proxy, nginx } = figures;
  const addedP50 = proxy.p50 - direct.p50;
  const rows = [
    figure("small requests: direct", perSecond(direct.rps)),
    figure("small requests: through the proxy", perSecond(proxy.rps)),
    figure("small requests: proxy / direct", ratio(proxy.rps / direct.rps)),
    figure(
      "small requests: proxy without access log / direct",
      ratio(figures.quiet.rps / direct.rps),
    ),
  ];
  if (nginx) {
    rows.push(
      figure("small requests: through nginx", perSecond(nginx.rps)),
      checked(
        "small requests: proxy / nginx",
        ratio(proxy.rps / nginx.rps),
        ">= 0.50x",
        proxy.rps / nginx.rps >= 0.5,
      ),
    );
  } else {
    rows.push(
      checked(
        "small requests: proxy / nginx",
        "not measured: nginx is not installed",
        ">= 0.50x",
        false,
      ),
    );
  }
  rows.push(
    checked("added latency, median", ms(addedP50), "< 1 ms", addedP50 < 1),
    figure("added latency, p99", ms(proxy.p99 - direct.p99)),
  );
  if (nginx) {
    rows.push(
      figure("nginx added latency, median", ms(nginx.p50 - direct.p50)),
    );
  }
  for (const s of figures.streams) {
    const tokens = s.proxy.tokensPerSecond / s.direct.tokensPerSecond;
    const floor = s.streams >= 1000 ? 0.9 : 0.95;
    const added50 = s.proxy.ttfcP50 - s.direct.ttfcP50;
    rows.push(
      s.streams === 200
        ? checked(
          `${s.streams} streams: added time to first chunk, median`,
          ms(added50),
          "< 20 ms",
          added50 < 20,
        )
        : figure(
          `${s.streams} streams: added time to first chunk, median`,
          ms(added50),
        ),
      figure(
        `${s.streams} streams: added time to first chunk, p99`,
        ms(s.proxy.ttfcP99 - s.direct.ttfcP99),
      ),
      checked(
        `${s.streams} streams: tokens/s proxy / direct`,
        ratio(tokens),
        `>= ${floor.toFixed(2)}x`,
        tokens >= floor,
      ),
      figure(`${s.streams} streams: proxy peak RSS`, mib(s.proxyPeakKiB)),
    );
  }

  return {
    title: "Proxy overhead",
    method: proxyMethod(figures),
    rows,
    detail: proxyDetail(figures),
    headline: [
      "small requests: proxy / direct",
      "200 streams: proxy peak RSS",
      "1000 streams: proxy peak RSS",
    ],
  };
}

function proxyMethod(f: ProxyFigures): string {
  return `
One simulated upstream (\`llama-swap simulate --token-ms 0 --tokens 4\`, a
child process) is reached four ways in the same run: directly, through our
proxy (\`main.ts --config <temp>\` as a child process, default settings, so
the access log is on), through a second proxy child with \`logLevel: warn\`
(no access log), and through ${
    f.nginxVersion ?? "nginx (not installed here)"
  } (one worker, keep-alive to the upstream, access log on, buffering off).
Load comes from the benchmark process with \`fetch\` over keep-alive
connections.

- Throughput: ${f.clients} concurrent clients POST a small chat completion
  in a closed loop for ${f.loopMs / 1000} s per target; targets take turns,
  ${f.rounds} round(s); the figure is the median requests per second.
- Latency: one client sends ${f.latencySamples} requests to each target,
  interleaved request by request; "added" is the proxy's percentile minus
  the direct one.
- Streams: a second simulated model streams ${f.streamTokens} chunks, one
  every ${f.streamTokenMs} ms. N streams are opened at once, directly and
  through the proxy in turn; time to first chunk is measured per stream,
  tokens/s is all content chunks over the wall time of the batch; the peak
  RSS is the proxy's VmHWM (reset before each proxied batch) and RSS
  sampled every 100 ms. The load generator, the proxy and the upstream
  share the machine's cores.
`;
}

function proxyDetail(f: ProxyFigures): string {
  const lines = [
    `Proxy RSS with both models loaded, before load: ${mib(f.proxyIdleKiB)}.`,
    "",
    "| path | req/s | p50 | p99 | failed |",
    "| --- | --- | --- | --- | --- |",
  ];
  const row = (name: string, p: PathFigures) =>
    `| ${name} | ${perSecond(p.rps)} | ${ms(p.p50)} | ${
      ms(p.p99)
    } | ${p.failed} |`;
  lines.push(
    row("direct", f.direct),
    row("proxy", f.proxy),
    row("proxy, `logLevel: warn`", f.quiet),
  );
  if (f.nginx) lines.push(row("nginx", f.nginx));
  lines.push(
    "",
    "| streams | path | TTFC p50 | TTFC p99 | tokens/s | incomplete |",
    "| --- | --- | --- | --- | --- | --- |",
  );
  for (const s of f.streams) {
    for (const [name, side] of [["direct", s.direct], ["proxy", s.proxy]]) {
      const v = side as StreamSide;
      lines.push(
        `| ${s.streams} | ${name} | ${ms(v.ttfcP50)} | ${ms(v.ttfcP99)} | ${
          perSecond(v.tokensPerSecond)
        } | ${v.incomplete} |`,
      );
    }
  }
  return lines.join("\n");
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: { quick: { type: "boolean", default: false } },
  });
  const section = proxySection(await runProxyBench({ quick: values.quick }));
  Deno.stdout.writeSync(new TextEncoder().encode(formatSection(section)));
}
