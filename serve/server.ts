import type { Hono } from "hono";
import type { Config } from "../config/mod.ts";
import { type BuildInfo, type Clock, systemClock } from "../lib/mod.ts";
import { Logger, LogHub } from "../log/mod.ts";
import { ProcessRegistry } from "../process/mod.ts";
import {
  createProxyApp,
  type ProxyEnv,
  type ProxyObserver,
} from "../proxy/mod.ts";
import { LoadTimes } from "./load_times.ts";
import { preloadModels } from "./preload.ts";
import { buildRuntime, type Runtime } from "./runtime.ts";

/** How long a graceful shutdown lets in-flight requests finish. */
export const SHUTDOWN_BUDGET_MS = 30_000;

export interface ServerOptions {
  readonly config: Config;
  readonly hostname: string;
  /** 0 picks a free port (tests). */
  readonly port: number;
  readonly tls?: { readonly cert: string; readonly key: string } | null;
  /** Activity database and process registry; null keeps both off disk. */
  readonly dataDir: string | null;
  readonly buildInfo: BuildInfo;
  /** Where `logToStdout` output goes; null keeps the terminal quiet. */
  readonly terminal?: ((chunk: Uint8Array) => void) | null;
  /** Overrides `logLevel` from the config (the `--log-level` flag). */
  readonly logLevel?: Config["logLevel"] | null;
  readonly clock?: Clock;
  /** Observability pieces mounted into the proxy app. */
  readonly observability?: ObservabilityFactory;
  /** Mounts the web UI after the observability routes. */
  readonly ui?: (app: Hono<ProxyEnv>) => void;
}

/** What the observability layer adds to a server. */
export interface ObservabilityParts {
  readonly observer: ProxyObserver;
  mount(app: Hono<ProxyEnv>): void;
  /** Called after each new runtime becomes current. */
  attach(runtime: Runtime): void;
  /** Ends long-lived streams so a shutdown can drain the server. */
  closeStreams(): void;
  close(): void;
}

export type ObservabilityFactory = (context: {
  readonly server: ProxyServer;
  readonly logs: LogHub;
  readonly logger: Logger;
  readonly dataDir: string | null;
  readonly clock: Clock;
}) => ObservabilityParts;

/**
 * A running proxy: the HTTP listener, the current runtime (config,
 * processes, router), logs and observability. `main.ts` and end-to-end
 * tests start it the same way.
 */
export class ProxyServer {
  readonly logs: LogHub;
  readonly logger: Logger;
  readonly loadTimes = new LoadTimes();
  readonly buildInfo: BuildInfo;
  #runtime: Runtime;
  #http: Deno.HttpServer<Deno.NetAddr> | null = null;
  #observability: ObservabilityParts | null = null;
  readonly #preload = new AbortController();
  readonly #unwatch: Array<() => void> = [];
  #shutdown: Promise<void> | null = null;

  private constructor(
    runtime: Runtime,
    logs: LogHub,
    logger: Logger,
    buildInfo: BuildInfo,
  ) {
    this.#runtime = runtime;
    this.logs = logs;
    this.logger = logger;
    this.buildInfo = buildInfo;
  }

  /** Reaps orphans, builds the runtime, starts listening and preloading. */
  static async start(options: ServerOptions): Promise<ProxyServer> {
    const clock = options.clock ?? systemClock;
    const logs = new LogHub({
      logToStdout: options.config.logToStdout,
      terminal: options.terminal ?? null,
    });
    const logger = new Logger(logs.proxy, {
      level: options.logLevel ?? options.config.logLevel,
      timeFormat: options.config.logTimeFormat,
      clock,
    });

    const registry = await openRegistry(options.dataDir, logger);
    await registry?.reapOrphans(logger);
    const runtime = buildRuntime(options.config, {
      logs,
      logger,
      registry,
      clock,
    });
    const server = new ProxyServer(runtime, logs, logger, options.buildInfo);
    server.#watch(runtime);

    server.#observability = options.observability?.({
      server,
      logs,
      logger,
      dataDir: options.dataDir,
      clock,
    }) ?? null;
    server.#observability?.attach(runtime);

    const app = createProxyApp({
      current: () => server.#runtime,
      logger,
      clock,
      loadTimes: server.loadTimes,
      version: options.buildInfo,
      ...(server.#observability
        ? { observer: server.#observability.observer }
        : {}),
      extraRoutes: (app: Hono<ProxyEnv>) => {
        server.#observability?.mount(app);
        options.ui?.(app);
      },
    });

    const listening = Promise.withResolvers<void>();
    server.#http = Deno.serve({
      hostname: options.hostname,
      port: options.port,
      ...(options.tls ? { cert: options.tls.cert, key: options.tls.key } : {}),
      onListen: () => listening.resolve(),
    }, (request, info) => app.fetch(request, { remoteAddr: info.remoteAddr }));
    await listening.promise;

    logger.info("listening", { url: server.url });
    void preloadModels(
      runtime.router,
      options.config.preload,
      logger,
      server.#preload.signal,
    );
    return server;
  }

  get runtime(): Runtime {
    return this.#runtime;
  }

  get port(): number {
    return this.#http?.addr.port ?? 0;
  }

  /** The base URL clients use, with a loopback host for wildcard binds. */
  get url(): string {
    const addr = this.#http?.addr;
    if (!addr) return "";
    const host = addr.hostname === "0.0.0.0" || addr.hostname === "::"
      ? "127.0.0.1"
      : addr.hostname.includes(":")
      ? `[${addr.hostname}]`
      : addr.hostname;
    return `http://${host}:${addr.port}`;
  }

  /**
   * Stops accepting, lets in-flight requests finish within `budgetMs`,
   * then stops every model. Idempotent.
   */
  shutdown(budgetMs = SHUTDOWN_BUDGET_MS): Promise<void> {
    this.#shutdown ??= this.#drainAndStop(budgetMs);
    return this.#shutdown;
  }

  async #drainAndStop(budgetMs: number): Promise<void> {
    const started = Date.now();
    this.#preload.abort();
    this.#observability?.closeStreams();

    const drained = this.#http?.shutdown() ?? Promise.resolve();
    const timedOut = await Promise.race([
      drained.then(() => false),
      new Promise<boolean>((resolve) => {
        const id = setTimeout(() => resolve(true), budgetMs);
        drained.finally(() => clearTimeout(id));
      }),
    ]);
    if (timedOut) {
      this.logger.warn("in-flight requests still running at shutdown", {
        budgetMs,
      });
    }

    const remaining = Math.max(1, budgetMs - (Date.now() - started));
    await this.#runtime.router.shutdown(Math.min(remaining, 10_000));
    await drained;
    for (const unwatch of this.#unwatch) unwatch();
    this.#observability?.close();
    this.logger.info("stopped", { ms: Date.now() - started });
  }

  #watch(runtime: Runtime): void {
    for (const process of runtime.processes.values()) {
      this.#unwatch.push(
        process.onStateChange((change) => this.loadTimes.observe(change)),
      );
    }
  }
}

async function openRegistry(
  dataDir: string | null,
  logger: Logger,
): Promise<ProcessRegistry | null> {
  if (!dataDir) return null;
  try {
    await Deno.mkdir(dataDir, { recursive: true });
    return new ProcessRegistry(dataDir);
  } catch (error) {
    logger.warn("cannot use the data directory; orphan reaping is off", {
      dataDir,
      error: error instanceof Error ? error.message : String(error),
    });
    return null;
  }
}
