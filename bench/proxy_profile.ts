/**
 * A profiling helper for the proxy's hot path: the proxy runs in this
 * process (as `main.ts` builds it: observability, a file activity store
 * under a temporary data directory), the load comes from a child process,
 * so a CPU profile of this process shows the proxy's own work.
 *
 *     deno run -A bench/proxy_profile.ts [--mode small|streams]
 *       [--seconds 4] [--clients 32] [--streams 200] [--log-level info]
 *       [--profile [--profile-out prof.json]] [--top 40] [--direct]
 *       [--heap | --heap-promoted] [--config-line "captureBuffer: 0" ...]
 *
 * `small`: `--clients` keep-alive clients POST a small chat completion in
 * a closed loop for `--seconds`, through the proxy (and directly with
 * `--direct`); prints requests per second. `streams`: `--streams` SSE
 * streams of 40 chunks, 50 ms apart, opened at once; prints the median
 * time to first chunk and chunks per second. `--profile` samples the CPU
 * every 50 µs during the proxied run and prints the functions with the
 * most self time; `--profile-out` also writes the whole profile there
 * (the `.cpuprofile` format Chrome's DevTools open). `--heap` samples
 * allocations during the proxied run and prints the bytes each function
 * allocates per request; `--heap-promoted` counts only objects that lived
 * through a young-generation collection. `--config-line` adds a line to
 * the proxy's config (repeatable).
 */
import { Session } from "node:inspector/promises";
import process from "node:process";
import { parseArgs } from "node:util";
import { loadConfig } from "../config/mod.ts";
import type { LogLevel } from "../config/types.ts";
import { readBuildInfo } from "../lib/mod.ts";
import { Logger, LogHub } from "../log/mod.ts";
import { createObservability, Observability } from "../observe/mod.ts";
import { createProxyApp, type RouterPort } from "../proxy/mod.ts";
import { ProxyServer } from "../serve/mod.ts";
import { startSimulator } from "../simulator/mod.ts";
import { concurrentStreams } from "./load.ts";
import { distribution } from "./stats.ts";

const STREAM_TOKENS = 40;
const SMALL_BODY = JSON.stringify({
  model: "small",
  messages: [{ role: "user", content: "Say hi" }],
});
const STREAM_BODY = JSON.stringify({
  model: "stream",
  stream: true,
  messages: [{ role: "user", content: "Tell me a story" }],
});

/** What one load run in the child measured. */
interface DriveResult {
  readonly requests: number;
  readonly failed: number;
  readonly seconds: number;
  readonly ttfcP50: number | null;
  readonly tokensPerSecond: number | null;
}

const { values } = parseArgs({
  args: Deno.args,
  options: {
    mode: { type: "string", default: "small" },
    seconds: { type: "string", default: "4" },
    clients: { type: "string", default: "32" },
    streams: { type: "string", default: "200" },
    "log-level": { type: "string", default: "warn" },
    profile: { type: "boolean", default: false },
    heap: { type: "boolean", default: false },
    "heap-promoted": { type: "boolean", default: false },
    "config-line": { type: "string", multiple: true, default: [] },
    "profile-out": { type: "string" },
    top: { type: "string", default: "40" },
    direct: { type: "boolean", default: false },
    "no-observe": { type: "boolean", default: false },
    memory: { type: "boolean", default: false },
    drive: { type: "string" },
    app: { type: "string" },
  },
});

if (values.drive !== undefined) {
  const result = await drive(values.drive);
  write(`${JSON.stringify(result)}\n`);
} else if (values.app !== undefined) {
  await appBench(Number(values.app));
} else {
  await main();
}

/**
 * `--app N`: N sequential requests through `createProxyApp().request()`
 * with an instant router and an in-memory upstream, so only the proxy's
 * JavaScript runs; prints the CPU time per request.
 */
async function appBench(count: number): Promise<void> {
  const dataDir = await Deno.makeTempDir({ prefix: "proxy-profile-" });
  const logs = new LogHub();
  const logger = new Logger(logs.proxy, {
    level: values["log-level"] as LogLevel,
  });
  const text = [
    `logLevel: ${values["log-level"]}`,
    ...values["config-line"],
    "models:",
    "  small:",
    "    cmd: sleep 86400",
    "    proxy: http://127.0.0.1:9",
    "    concurrencyLimit: 5000",
    "",
  ].join("\n");
  const loaded = loadConfig(text);
  if (!loaded.ok) throw new Error("Cannot load the profile config");
  const config = loaded.config;
  const observability = values["no-observe"] ? null : new Observability({
    logs,
    logger,
    config,
    dataDir: values.memory ? null : dataDir,
  });
  const router: RouterPort = {
    request: () =>
      Promise.resolve({
        immediate: true,
        lease: Promise.resolve({ model: "small", priority: 0, release() {} }),
      }),
    unload: () => Promise.resolve(),
  };
  const reply = JSON.stringify({
    choices: [{ message: { role: "assistant", content: "hi there" } }],
    usage: { prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 },
  });
  const replyBytes = new TextEncoder().encode(reply).byteLength;
  const app = createProxyApp({
    current: () => ({ config, router, processes: new Map() }),
    logger,
    fetch: async (_input, init) => {
      await new Response(init?.body).arrayBuffer();
      return new Response(reply, {
        headers: {
          "content-type": "application/json",
          "content-length": String(replyBytes),
        },
      });
    },
    ...(observability ? { observer: observability.observer } : {}),
    version: { version: "bench", commit: "", buildDate: "" },
  });
  const one = async () => {
    const response = await app.request("/v1/chat/completions", {
      method: "POST",
      headers: { "content-type": "application/json", "user-agent": "bench" },
      body: SMALL_BODY,
    });
    await response.arrayBuffer();
  };
  try {
    for (let i = 0; i < Math.min(count, 2000); i++) await one();
    const session = values.profile ? await startProfile() : null;
    const before = process.cpuUsage();
    const started = performance.now();
    for (let i = 0; i < count; i++) await one();
    const wall = performance.now() - started;
    const cpu = process.cpuUsage(before);
    const profile = session ? await stopProfile(session) : null;
    write(
      `app ${(1000 * wall / count).toFixed(1)} µs wall, ${
        ((cpu.user + cpu.system) / count).toFixed(1)
      } µs cpu per request\n`,
    );
    if (profile) write(topFunctions(profile, Number(values.top)));
  } finally {
    observability?.close();
    await Deno.remove(dataDir, { recursive: true });
  }
}

async function main(): Promise<void> {
  const streams = values.mode === "streams";
  await using upstream = await startSimulator({
    args: streams
      ? ["--model", "stream", "--token-ms", "50", "--tokens", "40"]
      : ["--model", "small", "--token-ms", "0", "--tokens", "4"],
  });
  const dataDir = await Deno.makeTempDir({ prefix: "proxy-profile-" });
  const server = await startProxy(upstream.port, dataDir);
  try {
    const proxyUrl = server.url;
    await driveChild(proxyUrl, 1); // warm-up
    if (values.direct) report("direct", await driveChild(upstream.url));
    const session = values.profile ? await startProfile() : null;
    const heap = values.heap || values["heap-promoted"]
      ? await startHeapSampling(values["heap-promoted"])
      : null;
    const cpuBefore = process.cpuUsage();
    const proxied = await driveChild(proxyUrl);
    const cpu = process.cpuUsage(cpuBefore);
    const profile = session ? await stopProfile(session) : null;
    if (heap) {
      write(topAllocations(await stopHeapSampling(heap), proxied.requests));
    }
    report("proxy", proxied);
    const perRequest = (cpu.user + cpu.system) / Math.max(1, proxied.requests);
    write(`proxy cpu per request ${perRequest.toFixed(0)} µs\n`);
    write(`rss ${(Deno.memoryUsage().rss / 1048576).toFixed(1)} MiB\n`);
    if (profile) write(topFunctions(profile, Number(values.top)));
  } finally {
    await server.shutdown(5_000);
    await Deno.remove(dataDir, { recursive: true });
  }
}

async function startProxy(port: number, dataDir: string) {
  const id = values.mode === "streams" ? "stream" : "small";
  const text = [
    `logLevel: ${values["log-level"]}`,
    ...values["config-line"],
    "models:",
    `  ${id}:`,
    "    cmd: sleep 86400",
    `    proxy: http://127.0.0.1:${port}`,
    "    concurrencyLimit: 5000",
    "",
  ].join("\n");
  const loaded = loadConfig(text);
  if (!loaded.ok) throw new Error("Cannot load the profile config");
  return await ProxyServer.start({
    config: loaded.config,
    hostname: "127.0.0.1",
    port: 0,
    dataDir: values.memory ? null : dataDir,
    buildInfo: await readBuildInfo(),
    ...(values["no-observe"] ? {} : { observability: createObservability }),
  });
}

/** Runs the load in a child process and returns what it measured. */
async function driveChild(url: string, seconds?: number): Promise<DriveResult> {
  const args = [
    "run",
    "-A",
    new URL(import.meta.url).pathname,
    "--drive",
    url,
    "--mode",
    values.mode ?? "small",
    "--seconds",
    String(seconds ?? values.seconds),
    "--clients",
    values.clients ?? "32",
    "--streams",
    values.streams ?? "200",
  ];
  const output = await new Deno.Command(Deno.execPath(), {
    args,
    stdout: "piped",
    stderr: "inherit",
  }).output();
  return JSON.parse(new TextDecoder().decode(output.stdout)) as DriveResult;
}

/** The child's side: generate load against `url`. */
async function drive(url: string): Promise<DriveResult> {
  const client = Deno.createHttpClient({ poolMaxIdlePerHost: 4096 });
  try {
    const target = `${url}/v1/chat/completions`;
    if (values.mode === "streams") {
      const result = await concurrentStreams({
        url: target,
        body: STREAM_BODY,
        streams: Number(values.streams),
        tokensPerStream: STREAM_TOKENS,
        client,
      });
      return {
        requests: result.complete,
        failed: result.streams - result.complete,
        seconds: result.elapsedMs / 1000,
        ttfcP50: distribution(result.firstChunkMs).median,
        tokensPerSecond: result.tokens / (result.elapsedMs / 1000),
      };
    }
    return await closedLoop(target, client);
  } finally {
    client.close();
  }
}

async function closedLoop(
  url: string,
  client: Deno.HttpClient,
): Promise<DriveResult> {
  const seconds = Number(values.seconds);
  const end = performance.now() + seconds * 1000;
  let requests = 0;
  let failed = 0;
  const loop = async () => {
    while (performance.now() < end) {
      const response = await fetch(url, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: SMALL_BODY,
        client,
      });
      await response.arrayBuffer();
      if (response.ok) requests++;
      else failed++;
    }
  };
  await Promise.all(Array.from({ length: Number(values.clients) }, loop));
  return { requests, failed, seconds, ttfcP50: null, tokensPerSecond: null };
}

function report(name: string, result: DriveResult): void {
  const rate = (result.requests / result.seconds).toFixed(0);
  const streams = result.ttfcP50 === null
    ? ""
    : ` ttfc_p50=${result.ttfcP50.toFixed(1)}ms tokens_per_s=${
      result.tokensPerSecond?.toFixed(0)
    }`;
  write(`${name} ${rate}/s failed=${result.failed}${streams}\n`);
}

interface ProfileNode {
  readonly callFrame: {
    readonly functionName: string;
    readonly url: string;
    readonly lineNumber: number;
  };
  readonly hitCount?: number;
}

async function startProfile(): Promise<Session> {
  const session = new Session();
  session.connect();
  await session.post("Profiler.enable");
  await session.post("Profiler.setSamplingInterval", { interval: 50 });
  await session.post("Profiler.start");
  return session;
}

async function stopProfile(session: Session): Promise<ProfileNode[]> {
  const { profile } = await session.post("Profiler.stop");
  session.disconnect();
  const out = values["profile-out"];
  if (out) await Deno.writeTextFile(out, JSON.stringify(profile));
  return profile.nodes as ProfileNode[];
}

/**
 * A heap sampling session that counts every allocation, collected or not;
 * `promotedOnly` leaves out what the young generation collected, so only
 * objects that lived through a scavenge (the ones that cost it) count.
 */
async function startHeapSampling(promotedOnly: boolean): Promise<Session> {
  const session = new Session();
  session.connect();
  await session.post("HeapProfiler.enable");
  await session.post("HeapProfiler.startSampling", {
    samplingInterval: 4096,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: !promotedOnly,
  });
  return session;
}

async function stopHeapSampling(session: Session): Promise<HeapNode> {
  const { profile } = await session.post("HeapProfiler.stopSampling");
  session.disconnect();
  return profile.head as HeapNode;
}

/** One node of a sampling heap profile. */
interface HeapNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: HeapNode[];
}

/** Bytes allocated per request by function, largest first. */
function topAllocations(head: HeapNode, requests: number): string {
  const root = new URL("../", import.meta.url).href;
  const bySite = new Map<string, number>();
  let total = 0;
  const visit = (node: HeapNode) => {
    const frame = node.callFrame;
    const file = frame.url.replace(root, "") || "(native)";
    const site = `${frame.functionName || "(anonymous)"} ${file}:${
      frame.lineNumber + 1
    }`;
    bySite.set(site, (bySite.get(site) ?? 0) + node.selfSize);
    total += node.selfSize;
    node.children.forEach(visit);
  };
  visit(head);
  const perRequest = (bytes: number) =>
    (bytes / Math.max(1, requests)).toFixed(0).padStart(7);
  const rows = [...bySite].sort((a, b) => b[1] - a[1])
    .slice(0, Number(values.top))
    .map(([site, bytes]) => `${perRequest(bytes)} B ${site}`);
  return `--- allocated per request: ${perRequest(total).trim()} B\n` +
    `${rows.join("\n")}\n`;
}

/** Self time by function and by file, as percentages of all samples. */
function topFunctions(nodes: readonly ProfileNode[], count: number): string {
  const root = new URL("../", import.meta.url).href;
  const byFunction = new Map<string, number>();
  const byFile = new Map<string, number>();
  let total = 0;
  for (const node of nodes) {
    const frame = node.callFrame;
    const hits = node.hitCount ?? 0;
    const file = frame.url.replace(root, "") || "(native)";
    const name = `${frame.functionName || "(anonymous)"} ${file}:${
      frame.lineNumber + 1
    }`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + hits);
    byFile.set(file, (byFile.get(file) ?? 0) + hits);
    total += hits;
  }
  const lines = (map: Map<string, number>, n: number) =>
    [...map].sort((a, b) => b[1] - a[1]).slice(0, n).map(([key, hits]) =>
      `${(100 * hits / total).toFixed(1).padStart(5)}% ${key}`
    ).join("\n");
  return `--- self time by function\n${lines(byFunction, count)}\n` +
    `--- self time by file\n${lines(byFile, 25)}\n`;
}

function write(text: string): void {
  Deno.stdout.writeSync(new TextEncoder().encode(text));
}
