/**
 * Clients that leave at awkward moments, unloads during a load and idle
 * unloads racing new requests, end to end over real simulated models.
 * Every case ends with nothing queued, loading, reserved or in flight.
 */
import assert from "node:assert/strict";
import {
  chat,
  type Harness,
  isQuiet,
  simulateCommand,
  startHarness,
} from "../bench/mod.ts";
import type { Config } from "../config/mod.ts";
import { delay } from "../lib/mod.ts";
import type { RouterNotice } from "../router/mod.ts";

/** Models a and b in one swapping group, each started with its flags. */
function twoModels(flags: { a?: string; b?: string }): string {
  const model = (id: "a" | "b") => [
    `  ${id}:`,
    `    cmd: ${simulateCommand(`--model ${id} ${flags[id] ?? ""}`)}`,
    "    proxy: http://127.0.0.1:${PORT}",
    "    unloadTimeout: 2",
  ];
  return [
    "healthCheckTimeout: 30",
    "logLevel: debug",
    "models:",
    ...model("a"),
    ...model("b"),
    "",
  ].join("\n");
}

async function assertQuiet(proxy: Harness): Promise<void> {
  const left = await proxy.quiet();
  assert.ok(isQuiet(left), `still busy: ${JSON.stringify(left)}`);
}

/** Resolves with the router's next notice of `kind` for `model`. */
function nextNotice(
  proxy: Harness,
  kind: RouterNotice["kind"],
  model: string,
): Promise<RouterNotice> {
  const { promise, resolve } = Promise.withResolvers<RouterNotice>();
  const stop = proxy.server.runtime.router.onNotice((notice) => {
    if (notice.kind !== kind || !("model" in notice)) return;
    if (notice.model !== model) return;
    stop();
    resolve(notice);
  });
  return promise;
}

/** A streaming request whose first chunk has arrived. */
async function openStream(
  url: string,
  model: string,
  signal?: AbortSignal,
): Promise<ReadableStreamDefaultReader<Uint8Array>> {
  const response = await fetch(`${url}/v1/chat/completions`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({
      model,
      stream: true,
      messages: [{ role: "user", content: "Tell me a long story" }],
    }),
    ...(signal ? { signal } : {}),
  });
  assert.equal(response.status, 200);
  const reader = response.body!.getReader();
  const first = await reader.read();
  assert.equal(first.done, false);
  return reader;
}

/** Reads the rest of a stream as text. */
async function readRest(
  reader: ReadableStreamDefaultReader<Uint8Array>,
): Promise<string> {
  const decoder = new TextDecoder();
  let text = "";
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return text;
    text += decoder.decode(value, { stream: true });
  }
}

Deno.test("a client that leaves while queued is forgotten and its model never loads", async () => {
  await using proxy = await startHarness({
    configText: twoModels({ a: "--token-ms 20 --tokens 30" }),
  });
  const busy = await openStream(proxy.url, "a");
  const leaving = new AbortController();
  const queued = nextNotice(proxy, "queued", "b");

  const waiting = chat(proxy.url, "b", { signal: leaving.signal });
  await queued;
  leaving.abort();
  const left = await waiting;
  const rest = await readRest(busy);

  assert.ok(left.error instanceof DOMException, `got ${left.status}`);
  assert.ok(rest.includes("[DONE]"));
  await assertQuiet(proxy);
  assert.equal(proxy.loads("b"), 0);
});

Deno.test("a client that leaves during a load nobody else wants lets the load finish unused", async () => {
  await using proxy = await startHarness({
    configText: twoModels({ b: "--load-ms 800" }),
  });
  const leaving = new AbortController();
  const starting = proxy.nextState("b", "starting");

  const waiting = chat(proxy.url, "b", { signal: leaving.signal });
  await starting;
  leaving.abort();
  const left = await waiting;
  await proxy.nextState("b", "ready");

  assert.ok(left.error instanceof DOMException, `got ${left.status}`);
  await assertQuiet(proxy);
  assert.equal((await chat(proxy.url, "b")).status, 200);
  assert.equal(proxy.loads("b"), 1);
});

Deno.test("a load whose only client left is dropped when another model waits behind it", async () => {
  await using proxy = await startHarness({
    configText: twoModels({ b: "--load-ms 60000" }),
  });
  const leaving = new AbortController();
  const starting = proxy.nextState("b", "starting");
  const waiting = chat(proxy.url, "b", { signal: leaving.signal });
  await starting;
  const queued = nextNotice(proxy, "queued", "a");
  const other = chat(proxy.url, "a");
  await queued;

  leaving.abort();
  const [left, served] = await Promise.all([waiting, other]);

  assert.ok(left.error instanceof DOMException, `got ${left.status}`);
  assert.equal(served.status, 200);
  assert.equal(proxy.process("b").state, "stopped");
  assert.equal(proxy.loads("b"), 1);
  await assertQuiet(proxy);
});

Deno.test("a client that leaves mid-stream cancels the upstream request", async () => {
  await using proxy = await startHarness({
    configText: twoModels({ a: "--token-ms 20 --tokens 200" }),
  });
  const leaving = new AbortController();
  const reader = await openStream(proxy.url, "a", leaving.signal);
  await reader.read();

  leaving.abort();
  await reader.cancel().catch(() => {}); // already errored by the abort
  const upstream = proxy.server.runtime.config.models["a"]!.proxy;
  const stats = await waitForStats(upstream, (s) => s.cancelled >= 1);

  assert.equal(stats.cancelled, 1);
  assert.equal(stats.active, 0);
  await assertQuiet(proxy);
});

Deno.test("unloading a model while it loads answers its waiters 500 and stops it", async () => {
  await using proxy = await startHarness({
    configText: twoModels({ b: "--load-ms 60000" }),
  });
  const starting = proxy.nextState("b", "starting");
  const waiting = chat(proxy.url, "b");
  await starting;

  await proxy.server.runtime.router.unload(["b"]);
  const refused = await waiting;

  assert.equal(refused.status, 500);
  assert.match(refused.text, /unloaded|interrupted/);
  assert.equal(proxy.process("b").state, "stopped");
  await assertQuiet(proxy);
});

Deno.test("requests arriving around the idle unload are all answered", async () => {
  await using proxy = await startHarness({
    configText: twoModels({}),
    adjust: (config) => withTtl(config, "a", 0.2),
  });
  const statuses: number[] = [];

  statuses.push((await chat(proxy.url, "a")).status);
  for (const gapMs of [170, 185, 195, 200, 205, 215, 230]) {
    await delay(gapMs); // the gap is the test input: just before or after the TTL
    statuses.push((await chat(proxy.url, "a")).status);
  }

  assert.deepEqual(statuses, Array(8).fill(200));
  assert.ok(proxy.loads("a") >= 1);
  await assertQuiet(proxy);
});

interface SimulatorStats {
  readonly requests: number;
  readonly cancelled: number;
  readonly active: number;
}

/**
 * Reads the simulator's `/debug/stats` until `done` holds (checking every
 * 10 ms for at most 5 s); resolves with the last reading.
 */
async function waitForStats(
  base: string,
  done: (stats: SimulatorStats) => boolean,
): Promise<SimulatorStats> {
  const deadline = performance.now() + 5_000;
  for (;;) {
    const stats = await (await fetch(`${base}/debug/stats`)).json();
    if (done(stats) || performance.now() > deadline) return stats;
    await delay(10);
  }
}

/** `config` with `model`'s idle unload after `seconds`. */
function withTtl(config: Config, model: string, seconds: number): Config {
  const settings = { ...config.models[model]!, ttl: seconds };
  return { ...config, models: { ...config.models, [model]: settings } };
}
