import type { Hono } from "hono";
import type { Config, LoadResult } from "../config/mod.ts";
import type { BuildInfo, Clock } from "../lib/mod.ts";
import type { Logger, LogHub } from "../log/mod.ts";
import type { ProxyEnv, ProxyObserver } from "../proxy/mod.ts";
import type { TlsFiles } from "./reload.ts";
import type { Runtime } from "./runtime.ts";
import type { ProxyServer } from "./server.ts";

/** How `ProxyServer.start()` builds a server. */
export interface ServerOptions {
  readonly config: Config;
  readonly hostname: string;
  /** 0 picks a free port (tests). */
  readonly port: number;
  readonly tls?: TlsFiles | null;
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
  /**
   * Loads the config again for `reload()` (the `--config` file); without
   * it a reload logs that it cannot and keeps the running config.
   */
  readonly reloadSource?: (() => Promise<LoadResult>) | null;
  /**
   * Reads the TLS files again on reload, only to warn when they changed:
   * serving new ones needs a restart.
   */
  readonly tlsSource?: (() => Promise<TlsFiles>) | null;
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
