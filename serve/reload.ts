import { errorText } from "../lib/mod.ts";
import type { Config, LoadResult } from "../config/mod.ts";
import type { Logger } from "../log/mod.ts";
import type { ReconfigureResult } from "../router/mod.ts";
import {
  type Reconfigured,
  reconfigureRuntime,
  type Runtime,
  type RuntimeDeps,
} from "./runtime.ts";

/** The PEM text of a TLS certificate and its key. */
export interface TlsFiles {
  readonly cert: string;
  readonly key: string;
}

/** What a reload works on; `ProxyServer` provides it. */
export interface ReloadContext {
  readonly current: Runtime;
  /** Loads the config again; null when this server has no source. */
  readonly source: (() => Promise<LoadResult>) | null;
  readonly deps: RuntimeDeps;
  readonly logger: Logger;
  /** The `--log-level` flag, which wins over the config's `logLevel`. */
  readonly logLevel: Config["logLevel"] | null;
  /** The TLS files being served, and how to read them again. */
  readonly tls: TlsFiles | null;
  readonly tlsSource: (() => Promise<TlsFiles>) | null;
  /** Makes a runtime current for new requests and observers. */
  install(runtime: Runtime): void;
}

/** What to load after a reload took effect, in the background. */
export interface ReloadOutcome {
  /** Replaced models that were running: load them with the new settings. */
  readonly restart: readonly string[];
  /** `hooks.on_startup.preload` models that are not running, in order. */
  readonly preload: readonly string[];
}

/**
 * One config reload:
 * 1. load and validate the whole config again; on any error log each one
 *    (file, line, column, key path) and change nothing;
 * 2. build the planner and the processes (`reconfigureRuntime()`: models
 *    whose process settings are unchanged keep their live process); a
 *    planner error also changes nothing;
 * 3. install the new runtime at once, so new requests see the new config
 *    (the router handles them after the change), and re-attach
 *    observability;
 * 4. apply `logLevel` and `logTimeFormat`, and say which changes need a
 *    restart (`logToStdout`, new TLS files; `--listen` is a flag);
 * 5. once the router applied the change, log what it did and return the
 *    models to load: replaced ones that were running, then the preload
 *    list's models that are not running.
 * Resolves null when the reload was refused, or abandoned because the
 * router began to shut down meanwhile.
 */
export async function reloadRuntime(
  context: ReloadContext,
): Promise<ReloadOutcome | null> {
  const log = context.logger.child("config");
  if (!context.source) {
    log.warn("cannot reload: this server was started without a config file");
    return null;
  }

  const loaded = await loadSafely(context.source); // 1
  if (!loaded.ok) {
    for (const error of loaded.errors) {
      log.error("invalid config", {
        file: error.file,
        line: error.line,
        column: error.column,
        path: error.path,
        error: error.message,
      });
    }
    log.error("config reload refused; the running config stays", {
      errors: loaded.errors.length,
    });
    return null;
  }
  for (const warning of loaded.warnings) {
    log.warn("config warning", { warning });
  }

  const previous = context.current.config;
  const config = loaded.config;
  let next: Reconfigured;
  try {
    next = reconfigureRuntime(context.current, config, context.deps); // 2
  } catch (error) {
    log.error("config reload refused; the running config stays", {
      error: errorText(error),
    });
    return null;
  }
  context.install(next.runtime); // 3

  context.logger.configure({ // 4
    level: context.logLevel ?? config.logLevel,
    timeFormat: config.logTimeFormat,
  });
  if (previous.logToStdout !== config.logToStdout) {
    log.warn("logToStdout changed; restart to apply it", {
      running: previous.logToStdout,
      configured: config.logToStdout,
    });
  }
  await warnAboutNewTlsFiles(context, log);

  let result: ReconfigureResult;
  try {
    result = await next.applied; // 5
  } catch (error) {
    log.warn("config reload abandoned", {
      error: errorText(error),
    });
    return null;
  }
  log.info("config reloaded", {
    kept: result.kept,
    replaced: result.replaced,
    removed: result.removed,
    added: result.added,
  });
  const restart = result.wereRunning;
  const preload = config.preload.filter((model) =>
    !restart.includes(model) &&
    next.runtime.processes.get(model)?.state === "stopped"
  );
  return { restart, preload };
}

async function loadSafely(
  source: () => Promise<LoadResult>,
): Promise<LoadResult> {
  try {
    return await source();
  } catch (error) {
    const message = errorText(error);
    return {
      ok: false,
      errors: [{ file: "", line: 0, column: 0, path: "", message }],
    };
  }
}

async function warnAboutNewTlsFiles(
  context: ReloadContext,
  log: Logger,
): Promise<void> {
  if (!context.tls || !context.tlsSource) return;
  try {
    const files = await context.tlsSource();
    if (files.cert !== context.tls.cert || files.key !== context.tls.key) {
      log.warn("TLS certificate or key changed; restart to serve them");
    }
  } catch (error) {
    log.warn("cannot read the TLS files again", {
      error: errorText(error),
    });
  }
}
