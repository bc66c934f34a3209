/**
 * A rig for websocket tests over real loopback sockets: the proxy app and
 * an echoing websocket upstream, each served with `Deno.serve` on a free
 * port, and small client helpers. Production code never imports this file.
 */
import type { ApiKey, ModelConfig, PeerConfig } from "../config/types.ts";
import { LogBuffer, Logger } from "../log/mod.ts";
import type { ProcessState, StateChange } from "../process/types.ts";
import { FakeClock } from "../tests/fake_clock.ts";
import { FakeProcess, FakeRouter, testConfig } from "../tests/proxy_fakes.ts";
import { createProxyApp } from "./app.ts";
import { logged, RecordingObserver } from "./test_utils.ts";

/** A fake process that tells its listeners when the test moves it. */
export class MovableProcess extends FakeProcess {
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
export interface UpstreamSocket {
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

export interface WebSocketRigOptions {
  /** Models given the upstream's URL. */
  readonly models: (upstream: string) => ModelConfig[];
  readonly peers?: (upstream: string) => PeerConfig[];
  readonly states?: Record<string, ProcessState>;
  readonly apiKeys?: ApiKey[];
}

export function startWebSocketRig(options: WebSocketRigOptions) {
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

/** Opens a client socket; rejects with the error's message. */
export function openClient(
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

export function nextMessage(socket: WebSocket): Promise<string | ArrayBuffer> {
  return new Promise((resolve) => {
    socket.addEventListener("message", (event) => resolve(event.data), {
      once: true,
    });
  });
}

export function closeOf(socket: WebSocket): Promise<CloseEvent> {
  return new Promise((resolve) => {
    if (socket.readyState === WebSocket.CLOSED) {
      resolve(new CloseEvent("close"));
    }
    socket.addEventListener("close", resolve, { once: true });
  });
}
