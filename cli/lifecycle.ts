import { type Clock, errorText, systemClock } from "../lib/mod.ts";
import { KILLED_GROUP_WAIT_MS } from "../process/mod.ts";
import {
  ConfigWatcher,
  type ProxyServer,
  SHUTDOWN_BUDGET_MS,
} from "../serve/mod.ts";

/** Signals that stop the proxy; Windows knows only Ctrl-C and Ctrl-Break. */
const STOP_SIGNALS: readonly Deno.Signal[] = Deno.build.os === "windows"
  ? ["SIGINT", "SIGBREAK"]
  : ["SIGINT", "SIGTERM"];

/**
 * How long after the first stop signal a shutdown may take in all: the
 * budget for requests and model stops, the wait for SIGKILLed groups to
 * go, and 5 s to spare.
 */
export const FORCED_EXIT_AFTER_MS = SHUTDOWN_BUDGET_MS + KILLED_GROUP_WAIT_MS +
  5_000;

/** How the running process is tied to the outside world. */
export interface LifecycleOptions {
  /**
   * What `--watch-config` watches: the `--config` file and the
   * `--config-dir` directory, either null; null when not watching.
   */
  readonly watch: {
    readonly file: string | null;
    readonly dir: string | null;
  } | null;
  /** Ends the process at once; `Deno.exit` outside tests. */
  readonly exit?: (code: number) => void;
  readonly clock?: Clock;
}

/**
 * Runs `server` until a stop signal, and resolves with the exit code:
 *
 * - SIGHUP reloads the config (not on Windows, which has no SIGHUP);
 *   `--watch-config` reloads when the file or the directory's YAML files
 *   change. A reload reads every source again.
 * - The first SIGINT or SIGTERM (Ctrl-Break on Windows) shuts down
 *   gracefully: no new connections, in-flight requests finish within
 *   30 s, every model is stopped as a process group; then 0 (1 if the
 *   shutdown failed).
 * - A second signal, or a shutdown still running 40 s after the first,
 *   SIGKILLs every model's process group and exits 1 at once.
 */
export async function runUntilStopped(
  server: ProxyServer,
  options: LifecycleOptions,
): Promise<number> {
  const exit = options.exit ?? ((code: number) => Deno.exit(code));
  const clock = options.clock ?? systemClock;
  const log = server.logger.child("main");
  const stopped = Promise.withResolvers<number>();

  const watcher = options.watch === null ? null : new ConfigWatcher({
    path: options.watch.file,
    dir: options.watch.dir,
    onChange: () => void server.reload(),
    logger: server.logger,
    clock,
  });
  await watcher?.start();

  const onReload = () => {
    log.info("SIGHUP received; reloading the config");
    void server.reload();
  };
  const canHangUp = Deno.build.os !== "windows";
  if (canHangUp) Deno.addSignalListener("SIGHUP", onReload);

  let signals = 0;
  let cancelBackstop = () => {};
  const forceExit = (why: string) => {
    log.error(`${why}; killing every model and exiting now`);
    server.killChildren();
    exit(1);
  };
  const onStop = () => {
    signals++;
    if (signals > 1) return forceExit("second stop signal");

    log.info("shutting down; send the signal again to force");
    watcher?.stop();
    if (canHangUp) Deno.removeSignalListener("SIGHUP", onReload);
    cancelBackstop = clock.setTimer(
      () => forceExit("shutdown took too long"),
      FORCED_EXIT_AFTER_MS,
    );
    server.shutdown().then(() => stopped.resolve(0), (error) => {
      log.error("shutdown failed", {
        error: errorText(error),
      });
      stopped.resolve(1);
    });
  };
  for (const signal of STOP_SIGNALS) Deno.addSignalListener(signal, onStop);

  try {
    return await stopped.promise;
  } finally {
    cancelBackstop();
    for (const signal of STOP_SIGNALS) {
      Deno.removeSignalListener(signal, onStop);
    }
  }
}
