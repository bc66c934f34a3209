/**
 * Helpers for this folder's tests: a proxy app with observability mounted
 * over fake processes, router and upstream, and readers for streamed
 * bodies. Production code never imports this file.
 */
import type { Config } from "../config/types.ts";
import { Logger, LogHub } from "../log/mod.ts";
import type { ProcessState, StateChange } from "../process/types.ts";
import { ActiveProfile, createProxyApp } from "../proxy/mod.ts";
import type {
  QueuedRequestView,
  RouterNotice,
  RouterSnapshot,
} from "../router/mod.ts";
import { FakeClock } from "../tests/fake_clock.ts";
import { FakeProcess, FakeRouter, FakeUpstream } from "../tests/proxy_fakes.ts";
import type { ActivityPage } from "./activity_store.ts";
import type { EventMessage } from "./event_messages.ts";
import { Observability } from "./observability.ts";

/** A fake process that tells its listeners when a test moves it. */
export class StatefulProcess extends FakeProcess {
  #listeners = new Set<(change: StateChange) => void>();

  override onStateChange(listener: (change: StateChange) => void) {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  get listenerCount(): number {
    return this.#listeners.size;
  }

  /** Sets the state and publishes the change. */
  moveTo(to: ProcessState, at = 0): void {
    const from = this.state;
    this.state = to;
    for (const listener of this.#listeners) {
      listener({ model: this.model, from, to, at });
    }
  }
}

/** The fake router plus the snapshot and notices observability reads. */
export class WatchedRouter extends FakeRouter {
  queue: QueuedRequestView[] = [];
  granted: Record<string, number> = {};
  #listeners = new Set<(notice: RouterNotice) => void>();

  get noticeListeners(): number {
    return this.#listeners.size;
  }

  snapshot(): RouterSnapshot {
    return {
      queue: this.queue,
      inFlight: this.granted,
      reserved: {},
      swaps: [],
      unloading: [],
      shuttingDown: false,
    };
  }

  onNotice(listener: (notice: RouterNotice) => void): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  notify(notice: RouterNotice): void {
    for (const listener of this.#listeners) listener(notice);
  }
}

/** Everything an observability route test needs, wired together. */
export interface ObservedProxy extends Disposable {
  readonly app: ReturnType<typeof createProxyApp>;
  readonly observability: Observability;
  readonly router: WatchedRouter;
  readonly upstream: FakeUpstream;
  readonly processes: Map<string, StatefulProcess>;
  readonly logs: LogHub;
  readonly logger: Logger;
  readonly clock: FakeClock;
}

/**
 * The proxy app over `config` with observability mounted and attached:
 * every model's process starts `ready` unless `states` says otherwise.
 * Dispose it to close the observability.
 */
export function observedProxy(
  config: Config,
  options: { states?: Record<string, ProcessState> } = {},
): ObservedProxy {
  const clock = new FakeClock(Date.UTC(2026, 0, 2, 3, 4, 5));
  const logs = new LogHub({ logToStdout: config.logToStdout });
  const logger = new Logger(logs.proxy, { level: "info", clock });
  const router = new WatchedRouter();
  const upstream = new FakeUpstream();
  const processes = new Map<string, StatefulProcess>();
  for (const id of Object.keys(config.models)) {
    processes.set(id, new StatefulProcess(id, options.states?.[id] ?? "ready"));
  }

  const profiles = new ActiveProfile(logger);
  const observability = new Observability({
    logs,
    logger,
    config,
    dataDir: null,
    clock,
    profiles,
    metrics: {
      readTextFile: () => Promise.reject(new Deno.errors.NotFound("no /proc")),
      memoryUsage: () => ({ rss: 1024 }),
    },
    // A test that moves the clock past a sampling interval reads nothing
    // of this machine.
    performance: {
      readTextFile: () => Promise.reject(new Deno.errors.NotFound("no /proc")),
      runCommand: () => Promise.reject(new Deno.errors.NotFound("no GPU tool")),
    },
  });
  observability.attach({ config, processes, router });
  const app = createProxyApp({
    current: () => ({ config, router, processes }),
    logger,
    fetch: upstream.fetch,
    clock,
    observer: observability.observer,
    profiles,
    version: { version: "1.2.3", commit: "deadbeef", buildDate: "2026-05-19" },
    extraRoutes: (app) => observability.mount(app),
  });
  return {
    app,
    observability,
    router,
    upstream,
    processes,
    logs,
    logger,
    clock,
    [Symbol.dispose]: () => observability.close(),
  };
}

const decoder = new TextDecoder();

/** Reads a streamed body piece by piece; cancel it when done. */
export class BodyReader {
  #reader: ReadableStreamDefaultReader<Uint8Array>;

  constructor(body: ReadableStream<Uint8Array> | null) {
    if (!body) throw new Error("Cannot read the body: the response has none");
    this.#reader = body.getReader();
  }

  /** The next chunk as text, or null once the body has ended. */
  async next(): Promise<string | null> {
    const result = await this.#reader.read();
    return result.done ? null : decoder.decode(result.value);
  }

  /** Cancels the body, as a client that goes away does. */
  async cancel(): Promise<void> {
    await this.#reader.cancel();
  }
}

/** Reads `/api/events` messages one at a time, decoding both layers. */
export class EventReader {
  #body: BodyReader;
  #pending = "";

  constructor(body: ReadableStream<Uint8Array> | null) {
    this.#body = new BodyReader(body);
  }

  /** The next message, or null once the stream has ended. */
  async next(): Promise<EventMessage | null> {
    for (;;) {
      const end = this.#pending.indexOf("\n\n");
      if (end >= 0) {
        const frame = this.#pending.slice(0, end);
        this.#pending = this.#pending.slice(end + 2);
        return decodeFrame(frame);
      }
      const chunk = await this.#body.next();
      if (chunk === null) return null;
      this.#pending += chunk;
    }
  }

  /** Skips messages until one of `type` arrives. */
  async nextOf<T extends EventMessage["type"]>(
    type: T,
  ): Promise<Extract<EventMessage, { type: T }>> {
    for (;;) {
      const message = await this.next();
      if (message === null) {
        throw new Error(`Cannot read a "${type}" event: the stream ended`);
      }
      if (message.type === type) {
        return message as Extract<EventMessage, { type: T }>;
      }
    }
  }

  cancel(): Promise<void> {
    return this.#body.cancel();
  }
}

/** One `event:message` frame back to its message; throws on bad framing. */
export function decodeFrame(frame: string): EventMessage {
  const [event, data, ...rest] = frame.split("\n");
  if (event !== "event:message" || !data?.startsWith("data:") || rest.length) {
    throw new Error(`Cannot decode SSE frame: unexpected shape "${frame}"`);
  }
  const envelope = JSON.parse(data.slice("data:".length));
  return { type: envelope.type, data: JSON.parse(envelope.data) };
}

/** `GET /api/metrics/activity` with `query`, parsed; asserts a 200. */
export async function activityPage(
  proxy: ObservedProxy,
  query = "",
): Promise<ActivityPage> {
  const res = await proxy.app.request(`/api/metrics/activity${query}`);
  if (res.status !== 200) {
    throw new Error(
      `Cannot read activity: status "${res.status}", ${await res.text()}`,
    );
  }
  return await res.json();
}
