/**
 * Fakes for proxy tests: config builders, a router whose grants the test
 * controls, processes with a settable state, and an upstream `fetch` that
 * records what reached it.
 */
import type {
  Config,
  Filters,
  ModelConfig,
  PeerConfig,
  Timeouts,
} from "../config/types.ts";
import { type Deferred, deferred } from "../lib/mod.ts";
import { LogBuffer, Logger } from "../log/mod.ts";
import type {
  ModelProcessHandle,
  ProcessState,
  StateChange,
} from "../process/types.ts";
import { createProxyApp, type ProxyDeps } from "../proxy/mod.ts";
import type { Lease, RouterPort, Ticket } from "../proxy/mod.ts";
import { testModelConfig } from "./model_config.ts";

export const NO_FILTERS: Filters = {
  stripParams: "",
  strip: [],
  setParams: {},
  setParamsByID: {},
};

const TIMEOUTS: Timeouts = {
  connect: 30,
  keepalive: 30,
  responseHeader: 0,
  tlsHandshake: 10,
  expectContinue: 1,
  idleConn: 90,
};

/** A model served at `http://127.0.0.1:<port>` with llama-swap defaults. */
export function testModel(
  id: string,
  overrides: Partial<ModelConfig> = {},
): ModelConfig {
  return testModelConfig(id, {
    cmd: `llama-server --model ${id}`,
    proxy: `http://upstream-${id.replaceAll("/", "-")}.test`,
    checkEndpoint: "/health",
    ...overrides,
  });
}

export function testPeer(
  id: string,
  models: string[],
  overrides: Partial<PeerConfig> = {},
): PeerConfig {
  return {
    id,
    proxy: `http://peer-${id}.test`,
    apiKey: "",
    models,
    filters: NO_FILTERS,
    timeouts: { ...TIMEOUTS, responseHeader: 60 },
    ...overrides,
  };
}

/** A config holding `models` and `peers`; aliases come from the models. */
export function testConfig(
  models: ModelConfig[],
  overrides: Partial<Omit<Config, "peers">> & { peers?: PeerConfig[] } = {},
): Config {
  const { peers = [], ...rest } = overrides;
  const aliases: Record<string, string> = {};
  for (const model of models) {
    for (const alias of model.aliases) aliases[alias] = model.id;
  }
  return {
    healthCheckTimeout: 120,
    logLevel: "info",
    logTimeFormat: "",
    logToStdout: "proxy",
    metricsMaxInMemory: 1000,
    captureBuffer: 5,
    startPort: 5800,
    globalTTL: 0,
    unloadTimeout: 10,
    sendLoadingState: false,
    loadingStateFormat: "reasoning",
    loadingRemarks: null,
    includeAliasesInList: false,
    requestBodyLimit: 64 * 1024 * 1024,
    macros: [],
    apiKeys: [],
    models: Object.fromEntries(models.map((m) => [m.id, m])),
    aliases,
    routing: {
      router: { use: "group", groups: {} },
      scheduler: { use: "fifo", priority: {}, maxWait: 60 },
    },
    preload: [],
    peers: Object.fromEntries(peers.map((p) => [p.id, p])),
    performance: { disabled: false, every: 5 },
    upstreamIgnorePaths: [".*\\.(js|json|css|png|gif|jpg|jpeg|ico|txt)$"],
    storePath: null,
    sessionIdHeaders: [],
    selectors: {},
    profiles: {},
    ...rest,
  };
}

/** A process whose state the test sets; it never runs anything. */
export class FakeProcess implements ModelProcessHandle {
  readonly model: string;
  state: ProcessState;
  pid: number | null = null;
  inFlight = 0;
  #listeners = new Set<(change: StateChange) => void>();

  constructor(model: string, state: ProcessState = "stopped") {
    this.model = model;
    this.state = state;
  }

  ensureReady(): Promise<void> {
    this.state = "ready";
    return Promise.resolve();
  }

  stop(): Promise<void> {
    this.state = "stopped";
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    this.state = "shutdown";
    return Promise.resolve();
  }

  beginRequest(): () => void {
    this.inFlight++;
    return () => this.inFlight--;
  }

  onStateChange(listener: (change: StateChange) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}

/** One `request()` the fake router received. */
export interface RouterCall {
  readonly model: string;
  readonly signal: AbortSignal;
  readonly onQueuePosition: ((position: number | null) => void) | undefined;
  /** Settles the lease (only for tickets that are not immediate). */
  readonly grant: Deferred<Lease>;
  /** How often the lease was released. */
  releases: number;
}

/**
 * A router that grants at once unless told otherwise. `hold` makes the
 * next requests wait until the test grants or fails them; `reject` makes
 * admission fail. Aborting a request's signal rejects its lease with a
 * 499, like the real router.
 */
export class FakeRouter implements RouterPort {
  readonly calls: RouterCall[] = [];
  readonly unloads: (readonly string[] | undefined)[] = [];
  /** Requests wait for `grant` when true. */
  hold = false;
  /** Thrown by the next `request()` calls when set. */
  reject: Error | null = null;
  #arrivals: ((call: RouterCall) => void)[] = [];

  /** Resolves with the next call to `request()` (or the n-th overall). */
  called(count = this.calls.length + 1): Promise<RouterCall> {
    const existing = this.calls[count - 1];
    if (existing) return Promise.resolve(existing);
    return new Promise((resolve) => {
      const check = (call: RouterCall) => {
        if (this.calls.length < count) return false;
        resolve(call);
        return true;
      };
      const waiter = (call: RouterCall) => {
        if (check(call)) {
          this.#arrivals = this.#arrivals.filter((w) => w !== waiter);
        }
      };
      this.#arrivals.push(waiter);
    });
  }

  request(
    model: string,
    options: {
      signal: AbortSignal;
      onQueuePosition?: (position: number | null) => void;
    },
  ): Promise<Ticket> {
    if (this.reject) return Promise.reject(this.reject);
    const grant = deferred<Lease>();
    const call: RouterCall = {
      model,
      signal: options.signal,
      onQueuePosition: options.onQueuePosition,
      grant,
      releases: 0,
    };
    this.calls.push(call);
    for (const arrival of [...this.#arrivals]) arrival(call);

    const lease: Lease = {
      model,
      priority: 0,
      release: () => call.releases++,
    };
    if (!this.hold) {
      grant.resolve(lease);
      return Promise.resolve({ immediate: true, lease: grant.promise });
    }
    options.signal.addEventListener("abort", () => {
      grant.reject(routerError(499, "client_gone", "client went away"));
    }, { once: true });
    return Promise.resolve({ immediate: false, lease: grant.promise });
  }

  /** Grants the held request `index` (default: the last). */
  grantHeld(index = this.calls.length - 1): void {
    const call = this.calls[index]!;
    call.grant.resolve({
      model: call.model,
      priority: 0,
      release: () => call.releases++,
    });
  }

  unload(models?: readonly string[]): Promise<void> {
    this.unloads.push(models);
    return Promise.resolve();
  }

  /** Total releases over all requests. */
  get releases(): number {
    return this.calls.reduce((sum, call) => sum + call.releases, 0);
  }
}

/** An error shaped like the router's `RouterError`. */
export function routerError(
  status: number,
  code: string,
  message: string,
  retryAfter?: number,
): Error {
  const error = new Error(message) as Error & Record<string, unknown>;
  error["status"] = status;
  error["code"] = code;
  if (retryAfter !== undefined) error["retryAfter"] = retryAfter;
  return error;
}

/** A request as the fake upstream received it, body read. */
export interface UpstreamHit {
  readonly url: string;
  readonly method: string;
  readonly headers: Headers;
  readonly body: Uint8Array<ArrayBuffer>;
  readonly text: string;
  readonly signal: AbortSignal | null;
}

/**
 * A `fetch` that records each request and answers with `respond` (default:
 * 200 `{"ok":true}`).
 */
export class FakeUpstream {
  readonly hits: UpstreamHit[] = [];
  respond: (hit: UpstreamHit) => Response | Promise<Response> = () =>
    Response.json({ ok: true });

  readonly fetch: typeof fetch = async (input, init) => {
    const request = new Request(input, init);
    const body = new Uint8Array(await request.arrayBuffer());
    const hit: UpstreamHit = {
      url: request.url,
      method: request.method,
      headers: request.headers,
      body,
      text: new TextDecoder().decode(body),
      signal: init?.signal ?? null,
    };
    this.hits.push(hit);
    return await this.respond(hit);
  };

  get last(): UpstreamHit {
    const hit = this.hits.at(-1);
    if (!hit) throw new Error("Cannot read last upstream hit: none arrived");
    return hit;
  }

  /** The last hit's body parsed as JSON. */
  get lastJson(): Record<string, unknown> {
    return JSON.parse(this.last.text);
  }
}

/** Everything a proxy app test needs, wired together. */
export interface TestProxy {
  readonly app: ReturnType<typeof createProxyApp>;
  readonly router: FakeRouter;
  readonly upstream: FakeUpstream;
  readonly processes: Map<string, FakeProcess>;
  readonly logs: LogBuffer;
}

/**
 * A proxy over `config` with a fake router, fake processes (all `ready`
 * unless `states` says otherwise) and a fake upstream.
 */
export function testProxy(
  config: Config,
  options: Partial<ProxyDeps> & {
    states?: Record<string, ProcessState>;
  } = {},
): TestProxy {
  const { states = {}, ...deps } = options;
  const router = new FakeRouter();
  const upstream = new FakeUpstream();
  const logs = new LogBuffer();
  const processes = new Map<string, FakeProcess>();
  for (const id of Object.keys(config.models)) {
    processes.set(id, new FakeProcess(id, states[id] ?? "ready"));
  }
  const app = createProxyApp({
    current: () => ({ config, router, processes }),
    logger: new Logger(logs, { level: "debug" }),
    fetch: upstream.fetch,
    version: { version: "1.2.3", commit: "deadbeef", buildDate: "2026-05-19" },
    ...deps,
  });
  return { app, router, upstream, processes, logs };
}

/** A JSON POST as a client sends it. */
export function jsonPost(
  body: unknown,
  headers: Record<string, string> = {},
): RequestInit {
  return {
    method: "POST",
    headers: { "Content-Type": "application/json", ...headers },
    body: JSON.stringify(body),
  };
}
