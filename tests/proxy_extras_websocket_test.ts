/**
 * Websockets over real sockets (reference server.md §2.9 and §9,
 * scenarios 34, 49 and 77; router.md §8.8): the proxy app served with
 * `Deno.serve`, a small websocket upstream that echoes, and clients made
 * with `new WebSocket`.
 */
import assert from "node:assert/strict";
import type { ApiKey, ModelConfig, PeerConfig } from "../config/types.ts";
import { LogBuffer, Logger } from "../log/mod.ts";
import type { ProcessState, StateChange } from "../process/types.ts";
import {
  createProxyApp,
  noopObserver,
  type ProxyObserver,
  type RequestStart,
} from "../proxy/mod.ts";
import { FakeClock } from "./fake_clock.ts";
import {
  FakeProcess,
  FakeRouter,
  testConfig,
  testModel,
  testPeer,
} from "./proxy_fakes.ts";

/** A fake process that tells its listeners when the test moves it. */
class MovableProcess extends FakeProcess {
  readonly #listeners = new Set<(change: StateChange) => void>();

  override onStateChange(listener: (change: StateChange) => void) {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  moveTo(to: ProcessState): void {
    const change = { model: this.model, from: this.state, to, at: 0 };
    this.state = to;
    for (const listener of [...this.#listeners]) listener(change);
  }
}

/** What the upstream saw of one websocket handshake and its close. */
interface UpstreamSocket {
  readonly url: string;
  readonly headers: Headers;
  readonly protocol: string;
  readonly closed: Promise<{ code: number; reason: string }>;
}

/**
 * Echoes every message (`echo:` before text, bytes as they came) and
 * closes with 4002 when asked to by the text `close-me`. Offers the
 * subprotocol `chat` when the client does. Plain HTTP, and any request
 * under `/plain`, gets a 200 without switching.
 */
function echoUpstream() {
  const sockets: UpstreamSocket[] = [];
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    (request) => {
      const plain = new URL(request.url).pathname.startsWith("/plain");
      if (plain || request.headers.get("upgrade") !== "websocket") {
        return new Response("plain answer");
      }
      const headers = new Headers(request.headers);
      const offered = headers.get("sec-websocket-protocol") ?? "";
      const protocol = offered.includes("chat") ? "chat" : "";
      const { socket, response } = Deno.upgradeWebSocket(
        request,
        protocol ? { protocol } : {},
      );
      const closed = Promise.withResolvers<{ code: number; reason: string }>();
      socket.onclose = (event) =>
        closed.resolve({ code: event.code, reason: event.reason });
      socket.onmessage = (event) => {
        if (event.data === "close-me") socket.close(4002, "asked to close");
        else if (typeof event.data === "string") {
          socket.send(`echo:${event.data}`);
        } else socket.send(event.data);
      };
      sockets.push({
        url: request.url,
        headers,
        protocol,
        closed: closed.promise,
      });
      return response;
    },
  );
  return { server, sockets, url: `http://127.0.0.1:${server.addr.port}` };
}

/** Every observation the proxy started. */
class RecordingObserver implements ProxyObserver {
  readonly starts: RequestStart[] = [];

  requestStarted(start: RequestStart) {
    this.starts.push(start);
    return noopObserver.requestStarted(start);
  }
}

interface RigOptions {
  /** Models given the upstream's URL. */
  readonly models: (upstream: string) => ModelConfig[];
  readonly peers?: (upstream: string) => PeerConfig[];
  readonly states?: Record<string, ProcessState>;
  readonly apiKeys?: ApiKey[];
}

function startRig(options: RigOptions) {
  const upstream = echoUpstream();
  const config = testConfig(options.models(upstream.url), {
    peers: options.peers?.(upstream.url) ?? [],
    apiKeys: options.apiKeys ?? [],
  });
  const router = new FakeRouter();
  const processes = new Map<string, MovableProcess>();
  for (const id of Object.keys(config.models)) {
    processes.set(id, new MovableProcess(id, options.states?.[id] ?? "ready"));
  }
  const logs = new LogBuffer();
  const observer = new RecordingObserver();
  const app = createProxyApp({
    current: () => ({ config, router, processes }),
    logger: new Logger(logs, { level: "debug" }),
    clock: new FakeClock(),
    observer,
    version: { version: "t", commit: "t", buildDate: "t" },
  });
  const proxy = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    (request, info) => app.fetch(request, { remoteAddr: info.remoteAddr }),
  );

  return {
    base: `ws://127.0.0.1:${proxy.addr.port}`,
    upstream,
    router,
    processes,
    logs,
    observer,
    /** Resolves once `count` relays have ended, leases released. */
    relaysEnded: (count: number) => logged(logs, /websocket closed/g, count),
    async [Symbol.asyncDispose]() {
      await proxy.shutdown();
      await upstream.server.shutdown();
    },
  };
}

/** Resolves once `pattern` has matched `count` times in the log. */
function logged(logs: LogBuffer, pattern: RegExp, count: number) {
  const { promise, resolve } = Promise.withResolvers<void>();
  const check = () => {
    if ((logs.text().match(pattern) ?? []).length < count) return false;
    unsubscribe();
    resolve();
    return true;
  };
  const unsubscribe = logs.subscribe(() => check());
  check();
  return promise;
}

/** Opens a client socket; rejects with the error's message. */
function open(
  url: string,
  options: { protocols?: string[]; headers?: HeadersInit } = {},
): Promise<WebSocket> {
  const socket = new WebSocket(url, options);
  socket.binaryType = "arraybuffer";
  return new Promise((resolve, reject) => {
    socket.onopen = () => resolve(socket);
    socket.onerror = (event) =>
      reject(new Error((event as ErrorEvent).message));
  });
}

function nextMessage(socket: WebSocket): Promise<string | ArrayBuffer> {
  return new Promise((resolve) => {
    socket.addEventListener("message", (event) => resolve(event.data), {
      once: true,
    });
  });
}

function closeOf(socket: WebSocket): Promise<CloseEvent> {
  return new Promise((resolve) => {
    if (socket.readyState === WebSocket.CLOSED) {
      resolve(new CloseEvent("close"));
    }
    socket.addEventListener("close", resolve, { once: true });
  });
}

/** `m1` goes through the router; `ig` has `ignoreWebsockets`. */
function twoModels(upstream: string): ModelConfig[] {
  return [
    testModel("m1", { proxy: upstream }),
    testModel("ig", { proxy: upstream, compat: { ignoreWebsockets: true } }),
  ];
}

Deno.test("a websocket on /upstream/<model>/ starts the model and relays frames both ways", async () => {
  await using rig = startRig({
    models: twoModels,
    states: { m1: "stopped" },
    apiKeys: [{ key: "client-key", models: null }],
  });

  const client = await open(`${rig.base}/upstream/m1/ws?x=1`, {
    protocols: ["chat", "v2"],
    headers: { authorization: "Bearer client-key" },
  });
  client.send("hello");
  const text = await nextMessage(client);
  client.send(new Uint8Array([1, 2, 3]));
  const bytes = await nextMessage(client);
  const closing = closeOf(client);
  client.close(1000, "done");
  await closing;
  await rig.relaysEnded(1);

  assert.equal(text, "echo:hello");
  assert.deepEqual(
    new Uint8Array(bytes as ArrayBuffer),
    new Uint8Array([1, 2, 3]),
  );
  assert.equal(client.protocol, "chat");
  const seen = rig.upstream.sockets[0]!;
  assert.equal(
    new URL(seen.url).pathname + new URL(seen.url).search,
    "/ws?x=1",
  );
  assert.equal(seen.headers.get("sec-websocket-protocol"), "chat, v2");
  assert.equal(seen.headers.get("x-forwarded-for"), "127.0.0.1");
  assert.equal(seen.headers.get("authorization"), null);
  assert.deepEqual(rig.router.calls.map((c) => c.model), ["m1"]);
  assert.equal(rig.router.releases, 1);
  assert.deepEqual(await seen.closed, { code: 1000, reason: "done" });
});

Deno.test("closing one side of a relayed websocket closes the other with its code", async () => {
  await using rig = startRig({ models: twoModels });

  const first = await open(`${rig.base}/upstream/m1/ws`);
  const firstClosed = closeOf(first);
  first.close(4001, "client leaves");
  await firstClosed;
  const second = await open(`${rig.base}/upstream/m1/ws`);
  const secondClosed = closeOf(second);
  second.send("close-me");
  const byUpstream = await secondClosed;
  await rig.relaysEnded(2);

  assert.deepEqual(await rig.upstream.sockets[0]!.closed, {
    code: 4001,
    reason: "client leaves",
  });
  assert.equal(byUpstream.code, 4002);
  assert.equal(byUpstream.reason, "asked to close");
  assert.equal(rig.router.releases, 2);
});

Deno.test("an ignored websocket to a stopped or starting model answers 409 and starts nothing", async () => {
  await using rig = startRig({
    models: twoModels,
    states: { ig: "stopped" },
  });

  const stopped = await open(`${rig.base}/upstream/ig/ws`).catch((e) => e);
  rig.processes.get("ig")!.state = "starting";
  const starting = await open(`${rig.base}/upstream/ig/ws`).catch((e) => e);

  assert.match(String(stopped), /409/);
  assert.match(String(starting), /409/);
  assert.equal(rig.router.calls.length, 0);
  assert.equal(rig.upstream.sockets.length, 0);
});

Deno.test("an ignored websocket bypasses router and observer and is cut when the model stops", async () => {
  await using rig = startRig({ models: twoModels });

  const client = await open(`${rig.base}/upstream/ig/v1/chat/completions`);
  client.send("ping");
  const reply = await nextMessage(client);
  const closing = closeOf(client);
  rig.processes.get("ig")!.moveTo("stopping");
  const cut = await closing;
  await rig.relaysEnded(1);

  assert.equal(reply, "echo:ping");
  assert.equal(cut.code, 1001);
  assert.equal(cut.reason, "model ig was unloaded");
  assert.equal((await rig.upstream.sockets[0]!.closed).code, 1000);
  assert.equal(rig.router.calls.length, 0);
  assert.deepEqual(rig.observer.starts, []);
});

Deno.test("the access log records a websocket switch with status 101", async () => {
  await using rig = startRig({ models: twoModels });

  const client = await open(`${rig.base}/upstream/m1/ws`);
  const closing = closeOf(client);
  client.close();
  await closing;
  await rig.relaysEnded(1);

  assert.match(rig.logs.text(), /GET \/upstream\/m1\/ws status=101/);
});

Deno.test("websockets also relay on model routes and to peers, which get their own key", async () => {
  await using rig = startRig({
    models: twoModels,
    peers: (
      url,
    ) => [testPeer("remote", ["far"], { proxy: url, apiKey: "peer-key" })],
  });

  const routed = await open(`${rig.base}/v1/audio/voices?model=m1`);
  const peer = await open(`${rig.base}/upstream/remote/far/stream`);
  const closings = [closeOf(routed), closeOf(peer)];
  routed.close();
  peer.close();
  await Promise.all(closings);
  await rig.relaysEnded(2);

  const [model, remote] = rig.upstream.sockets;
  assert.equal(new URL(model!.url).search, "?model=m1");
  assert.equal(new URL(remote!.url).pathname, "/stream");
  assert.equal(remote!.headers.get("authorization"), "Bearer peer-key");
  assert.equal(remote!.headers.get("x-forwarded-for"), null);
  assert.deepEqual(rig.router.calls.map((c) => c.model), ["m1"]);
});

Deno.test("a websocket to an upstream that does not switch protocols answers 502 and releases the lease", async () => {
  await using rig = startRig({
    models: (url) => [testModel("m1", { proxy: `${url}/plain` })],
  });

  const refused = await open(`${rig.base}/upstream/m1/ws`).catch((e) => e);

  assert.match(String(refused), /502/);
  assert.equal(rig.router.releases, 1);
});
