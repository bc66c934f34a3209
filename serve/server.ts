import type { Hono } from "hono";
import {
  type BuildInfo,
  type Clock,
  errorText,
  settlesWithin,
  systemClock,
} from "../lib/mod.ts";
import { Logger, LogHub } from "../log/mod.ts";
import type { ModelProcess, ProcessRegistry } from "../process/mod.ts";
import {
  ActiveProfile,
  createProxyApp,
  fetchThrough,
  Http1Pool,
  type ProxyEnv,
  proxyEnvironment,
  type ProxyState,
  sendThrough,
  sendWithFetch,
  type UpstreamSend,
} from "../proxy/mod.ts";
import { CoalescedTask } from "./coalesced_task.ts";
import { LoadTimes } from "./load_times.ts";
import { openRegistry } from "./open_registry.ts";
import { preloadModels } from "./preload.ts";
import { reloadRuntime, type TlsFiles } from "./reload.ts";
import { buildRuntime, type Runtime, type RuntimeDeps } from "./runtime.ts";
import type { ObservabilityParts, ServerOptions } from "./server_options.ts";

/** How long a graceful shutdown lets in-flight requests finish. */
export const SHUTDOWN_BUDGET_MS = 30_000;

/** How long shutdown waits for connections once every model stopped. */
const CLOSE_GRACE_MS = 5_000;

/** How long after its listener failed the proxy first listens again. */
const LISTEN_RETRY_MS = 1_000;

/** The longest wait between two tries to listen again. */
const MAX_LISTEN_RETRY_MS = 30_000;

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
  /** The active profile; none at start and after every reload. */
  readonly profiles: ActiveProfile;
  readonly #options: ServerOptions;
  readonly #clock: Clock;
  readonly #deps: RuntimeDeps;
  #runtime!: Runtime;
  /** What a new request works with; replaced whole on reload. */
  #state!: ProxyState;
  #http: Deno.HttpServer<Deno.NetAddr> | null = null;
  /**
   * Every server with connections still open: the one listening, and one
   * whose listener failed until its requests in flight have finished.
   */
  readonly #servers = new Set<Deno.HttpServer<Deno.NetAddr>>();
  /** Cancels a pending try to listen again. */
  #cancelRetry: (() => void) | null = null;
  #app!: Hono<ProxyEnv>;
  #observability: ObservabilityParts | null = null;
  readonly #preload = new AbortController();
  /** Keep-alive connections to upstreams (models, peers), TLS ones too. */
  readonly #upstreams = new Http1Pool();
  /**
   * `HTTP_PROXY` / `HTTPS_PROXY` set: upstreams of that scheme that are
   * not on loopback go through `fetch`, which honours them (and
   * `NO_PROXY`), instead of `#upstreams`.
   */
  readonly #proxies = proxyEnvironment();
  /** How requests reach upstreams: forwarded ones and preloads. */
  readonly #send: UpstreamSend = sendThrough(
    this.#upstreams,
    sendWithFetch(fetch),
    this.#proxies,
  );
  /** Every process ever built that may still own a child. */
  readonly #children = new Set<ModelProcess>();
  readonly #loadTimeWatch = new Map<ModelProcess, () => void>();
  readonly #reloads = new CoalescedTask(() => this.#reloadOnce());
  #shutdown: Promise<void> | null = null;

  private constructor(
    options: ServerOptions,
    logs: LogHub,
    logger: Logger,
    registry: ProcessRegistry | null,
  ) {
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
    this.logs = logs;
    this.logger = logger;
    this.buildInfo = options.buildInfo;
    this.profiles = new ActiveProfile(logger.child("profiles"));
    this.#deps = {
      logs,
      logger,
      registry,
      clock: this.#clock,
      onProcess: (process) => this.#children.add(process),
      probe: fetchThrough(this.#send),
    };
  }

  /**
   * Reaps orphans, builds the runtime, starts listening and preloading.
   * Rejects with a `ListenError` (after shutting down what it built) when
   * it cannot listen: the address is taken, or the TLS files are unusable.
   */
  static async start(options: ServerOptions): Promise<ProxyServer> {
    const server = await ProxyServer.#create(options);
    try {
      await server.#listen();
    } catch (error) {
      await server.shutdown();
      throw error;
    }
    for (const [scheme, set] of Object.entries(server.#proxies)) {
      if (!set) continue;
      server.logger.info(
        `${scheme.toUpperCase()}_PROXY is set: ${scheme}:// upstreams ` +
          "not on loopback go through fetch and that proxy",
      );
    }
    server.logger.info("listening", { url: server.url });
    server.#preloadInBackground(options.config.preload, "preload");
    return server;
  }

  /**
   * Like `start()` but without a listener of its own: another server
   * (`deno serve`) hands requests to `fetch`. `hostname` and `port` in
   * `options` are ignored.
   */
  static async embedded(options: ServerOptions): Promise<ProxyServer> {
    const server = await ProxyServer.#create(options);
    server.logger.info("serving requests handed over by the host server");
    server.#preloadInBackground(options.config.preload, "preload");
    return server;
  }

  static async #create(options: ServerOptions): Promise<ProxyServer> {
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
    const server = new ProxyServer(options, logs, logger, registry);
    server.#runtime = buildRuntime(options.config, server.#deps);
    server.#observability = options.observability?.({
      server,
      logs,
      logger,
      dataDir: options.dataDir,
      clock,
    }) ?? null;
    server.#install(server.#runtime);
    server.#app = server.#buildApp();
    return server;
  }

  /** Answers one request, as `Deno.serve` would hand it over. */
  fetch = (
    request: Request,
    info?: { readonly remoteAddr?: Deno.Addr },
  ): Response | Promise<Response> =>
    this.#app.fetch(
      request,
      info?.remoteAddr ? { remoteAddr: info.remoteAddr } : {},
    );

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
    const scheme = this.#options.tls ? "https" : "http";
    return `${scheme}://${host}:${addr.port}`;
  }

  /**
   * Loads the config again and, when it is valid, moves to it without
   * interrupting what did not change (see `reloadRuntime()`). Resolves
   * true once the new config serves new requests, false when it was
   * refused (every error is logged; the running config and models stay
   * as they were). A call while a reload runs queues one more reload
   * after it (never more than one), so no change is missed.
   */
  reload(): Promise<boolean> {
    return this.#reloads.run();
  }

  /**
   * Stops accepting, lets in-flight requests finish within `budgetMs`,
   * then shuts every model down (each with its `unloadTimeout`, at most
   * what is left of the budget), waits a little for the last
   * connections, and closes observability. Idempotent.
   */
  shutdown(budgetMs = SHUTDOWN_BUDGET_MS): Promise<void> {
    this.#shutdown ??= this.#drainAndStop(budgetMs);
    return this.#shutdown;
  }

  /**
   * Sends SIGKILL to the process group of every model child still
   * running, without waiting: for a forced exit (a second signal), so no
   * child outlives the proxy.
   */
  killChildren(): void {
    for (const process of this.#children) {
      const pid = process.pid;
      if (pid === null) continue;
      try {
        Deno.kill(Deno.build.os === "windows" ? pid : -pid, "SIGKILL");
      } catch (error) {
        this.logger.debug("cannot kill a model's process group", {
          model: process.model,
          pid,
          error: errorText(error),
        });
      }
    }
  }

  /** One reload; never rejects (a failure is logged and reported false). */
  async #reloadOnce(): Promise<boolean> {
    const log = this.logger.child("config");
    if (this.#shutdown) {
      log.info("reload skipped: shutting down");
      return false;
    }

    try {
      return await this.#reloadNow();
    } catch (error) {
      log.error("config reload failed", {
        error: error instanceof Error
          ? error.stack ?? error.message
          : String(error),
      });
      return false;
    }
  }

  async #reloadNow(): Promise<boolean> {
    const reloaded = await reloadRuntime({
      current: this.#runtime,
      source: this.#options.reloadSource ?? null,
      deps: this.#deps,
      logger: this.logger,
      logLevel: this.#options.logLevel ?? null,
      tls: this.#options.tls ?? null,
      tlsSource: this.#options.tlsSource ?? null,
      install: (runtime) => this.#install(runtime),
    });
    if (!reloaded) return false;

    this.#preloadInBackground(reloaded.restart, "restart");
    this.#preloadInBackground(reloaded.preload, "preload");
    return true;
  }

  /** Makes `runtime` the one new requests and observers see. */
  #install(runtime: Runtime): void {
    this.#runtime = runtime;
    this.#state = {
      config: runtime.config,
      processes: runtime.processes,
      router: runtime.router.view(),
    };
    for (const [process, stop] of this.#loadTimeWatch) {
      if (runtime.processes.get(process.model) === process) continue;
      stop();
      this.#loadTimeWatch.delete(process);
    }
    for (const process of runtime.processes.values()) {
      if (this.#loadTimeWatch.has(process)) continue;
      const stop = process.onStateChange((change) =>
        this.loadTimes.observe(change)
      );
      this.#loadTimeWatch.set(process, stop);
    }
    for (const process of this.#children) {
      if (process.state === "shutdown") this.#children.delete(process);
    }
    this.profiles.sync(runtime.config);
    this.#observability?.attach(runtime);
  }

  #buildApp(): Hono<ProxyEnv> {
    const options = this.#options;
    return createProxyApp({
      current: () => this.#state,
      logger: this.logger,
      clock: this.#clock,
      loadTimes: this.loadTimes,
      profiles: this.profiles,
      send: this.#send,
      version: options.buildInfo,
      ...(this.#observability
        ? { observer: this.#observability.observer }
        : {}),
      extraRoutes: (app: Hono<ProxyEnv>) => {
        this.#observability?.mount(app);
        options.ui?.(app);
      },
    });
  }

  async #listen(port = this.#options.port): Promise<void> {
    const options = this.#options;
    const listening = Promise.withResolvers<void>();
    // Checked once, at start: listening again serves what was loaded then.
    if (options.tls && !this.#http) checkTlsFiles(options.tls);
    try {
      this.#http = Deno.serve({
        hostname: options.hostname,
        port,
        ...(options.tls
          ? { cert: options.tls.cert, key: options.tls.key }
          : {}),
        onListen: () => listening.resolve(),
      }, this.fetch);
    } catch (error) {
      const host = options.hostname.includes(":")
        ? `[${options.hostname}]`
        : options.hostname || "*";
      throw new ListenError(
        `cannot listen on ${host}:${port}: ${errorText(error)}`,
        { cause: error },
      );
    }
    await listening.promise;
    this.#servers.add(this.#http);
    this.#listenAgainAfterFailure(this.#http);
  }

  /**
   * Keeps the proxy serving when its listener fails, as it does when the
   * process runs out of file descriptors (each open connection holds
   * one), instead of the rejection ending the process. The failed server
   * is shut down (its idle connections close, freeing descriptors; its
   * requests in flight finish, and shutdown still waits for them), and
   * the same port is listened on again after 1 s, then after twice as
   * long each time it fails, up to 30 s; only the first failure of a run
   * is logged as an error.
   */
  #listenAgainAfterFailure(http: Deno.HttpServer<Deno.NetAddr>): void {
    const port = http.addr.port;
    let waitMs = LISTEN_RETRY_MS;
    const retry = () => {
      this.#cancelRetry = null;
      if (this.#shutdown) return;
      this.#listen(port).then(() => {
        this.logger.info("listening again", { port });
      }, (error: unknown) => {
        waitMs = Math.min(waitMs * 2, MAX_LISTEN_RETRY_MS);
        this.logger.warn("cannot listen again yet", {
          error: errorText(error),
          retryInMs: waitMs,
        });
        this.#cancelRetry = this.#clock.setTimer(retry, waitMs);
      });
    };
    http.finished.catch((error: unknown) => {
      if (this.#shutdown) return;
      this.logger.error("the HTTP server stopped accepting connections", {
        error: errorText(error),
        retryInMs: waitMs,
      });
      void http.shutdown().catch(() => {}).finally(() => {
        this.#servers.delete(http);
      });
      this.#cancelRetry = this.#clock.setTimer(retry, waitMs);
    });
  }

  /**
   * Loads `models` in order, in the background, until shutdown; preloads
   * also send each model a `GET /` (see `preloadModels()`).
   */
  #preloadInBackground(
    models: readonly string[],
    reason: "preload" | "restart",
  ): void {
    if (models.length === 0) return;
    const state = this.#state;
    const upstream = { send: this.#send, models: state.config.models };
    void preloadModels(state.router, models, {
      logger: this.logger,
      signal: this.#preload.signal,
      reason,
      clock: this.#clock,
      ...(reason === "preload"
        ? { upstream }
        : { notices: (listener) => this.#runtime.router.onNotice(listener) }),
    });
  }

  /**
   * The shutdown order: end preloads and long-lived event streams; drain
   * the HTTP server (no new connections; in-flight requests, streams
   * included, finish) within the budget; only then shut the models down,
   * so no request loses its upstream, with what is left of the budget as
   * the longest grace.
   */
  async #drainAndStop(budgetMs: number): Promise<void> {
    const clock = this.#clock;
    const started = clock.now();
    this.#preload.abort();
    this.#observability?.closeStreams();

    this.#cancelRetry?.();
    const drained = Promise.allSettled(
      [...this.#servers].map((server) => server.shutdown()),
    );
    if (!await settlesWithin(drained, budgetMs, clock)) {
      this.logger.warn("in-flight requests still running at shutdown", {
        budgetMs,
      });
    }

    const remaining = Math.max(1, budgetMs - (clock.now() - started));
    await this.#runtime.router.shutdown(undefined, { maxGraceMs: remaining });
    if (!await settlesWithin(drained, CLOSE_GRACE_MS, clock)) {
      this.logger.warn("connections still open after the models stopped");
    }

    for (const stop of this.#loadTimeWatch.values()) stop();
    this.#loadTimeWatch.clear();
    this.#upstreams.close();
    this.#observability?.close();
    this.logger.info("stopped", { ms: clock.now() - started });
  }
}

/** `ProxyServer.start()` could not listen; the message says why. */
export class ListenError extends Error {
  override name = "ListenError";
}

/**
 * Throws a `ListenError` when Deno cannot serve TLS with `tls` (no
 * certificate or key in the files, a key that does not match), found by
 * opening and closing a TLS listener on a loopback port of the system's
 * choosing, so that the message never blames the address instead.
 */
function checkTlsFiles(tls: TlsFiles): void {
  try {
    Deno.listenTls({ hostname: "127.0.0.1", port: 0, ...tls }).close();
  } catch (error) {
    throw new ListenError(
      `cannot serve TLS with the given certificate and key: ${
        errorText(error)
      }`,
      { cause: error },
    );
  }
}
