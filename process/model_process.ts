import type { ModelConfig } from "../config/types.ts";
import { type Clock, deferred, systemClock } from "../lib/mod.ts";
import type { LogBuffer, Logger } from "../log/mod.ts";
import { splitCommand } from "./command_line.ts";
import { type HealthOutcome, waitUntilHealthy } from "./health_check.ts";
import { IdleTimer } from "./idle_timer.ts";
import {
  describeSpawnError,
  healthUrl,
  parseEnvEntries,
  skipsHealthCheck,
} from "./launch_settings.ts";
import {
  type ChildExit,
  posixProcessControl,
  type ProcessControl,
} from "./process_control.ts";
import type { ProcessRegistry } from "./registry.ts";
import {
  describeExit,
  type OutputSink,
  RunningChild,
} from "./running_child.ts";
import { runStopCommand } from "./stop_command.ts";
import { finishChild, stopChild } from "./stop_child.ts";
import {
  type ModelProcessHandle,
  type ProcessState,
  StartError,
  type StartFailure,
  type StateChange,
} from "./types.ts";

export interface ModelProcessOptions {
  config: ModelConfig;
  /** Receives lifecycle lines under the `process` component. */
  logger: Logger;
  /** The model's own log: the child's stdout and stderr, byte for byte. */
  logs: LogBuffer;
  /** The shared upstream log the child's output is also copied to. */
  upstreamLogs?: LogBuffer;
  clock?: Clock;
  /** Used for health probes. */
  fetch?: typeof fetch;
  control?: ProcessControl;
  /** Where started process groups are recorded for orphan reaping. */
  registry?: ProcessRegistry;
}

/** Grace given to a child whose start failed and must be torn down. */
export const FAILED_START_GRACE_MS = 5000;

/** The abort reason of a start that a stop or a shutdown interrupted. */
class StartInterrupted {
  constructor(
    readonly graceMs: number,
    readonly reason: "aborted" | "shutdown",
  ) {}
}

interface StartAttempt {
  readonly abort: AbortController;
  /** What `ensureReady()` callers await; rejects with `StartError`. */
  readonly ready: Promise<void>;
  /** Settles once the attempt has ended in `ready` or `stopped`. */
  finished: Promise<void>;
}

/**
 * Owns one model's child process from spawn to exit: start, readiness,
 * stop, idle unload and crash detection.
 *
 * Every decision to start or stop is taken here, from the current state,
 * never from a snapshot read elsewhere; operations that arrive while
 * another runs join it or wait for it. State changes reach listeners in
 * order, each in a microtask after the change, so a listener never runs in
 * the middle of a transition.
 */
export class ModelProcess implements ModelProcessHandle {
  readonly model: string;
  #config: ModelConfig;
  #log: Logger;
  #sinks: OutputSink[];
  #clock: Clock;
  #fetch: typeof fetch;
  #control: ProcessControl;
  #registry: ProcessRegistry | null;
  #env: Record<string, string>;

  #state: ProcessState = "stopped";
  #child: RunningChild | null = null;
  #start: StartAttempt | null = null;
  #stopping: Promise<void> | null = null;
  #closing = false;
  #inFlight = 0;
  #idle: IdleTimer;
  #listeners = new Set<(change: StateChange) => void>();
  #background = new Set<Promise<void>>();

  constructor(options: ModelProcessOptions) {
    this.#config = options.config;
    this.model = options.config.id;
    this.#log = options.logger.child("process");
    this.#sinks = options.upstreamLogs
      ? [options.logs, options.upstreamLogs]
      : [options.logs];
    this.#clock = options.clock ?? systemClock;
    this.#fetch = options.fetch ?? fetch;
    this.#control = options.control ?? posixProcessControl;
    this.#registry = options.registry ?? null;
    this.#env = parseEnvEntries(options.config.env);
    this.#idle = new IdleTimer({
      delayMs: options.config.ttl * 1000,
      clock: this.#clock,
      onIdle: () => this.#onIdle(),
    });
  }

  get state(): ProcessState {
    return this.#state;
  }

  get pid(): number | null {
    return this.#child?.pid ?? null;
  }

  get inFlight(): number {
    return this.#inFlight;
  }

  ensureReady(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    const ready = this.#ensureReady();
    return signal ? detachable(ready, signal) : ready;
  }

  async stop(graceMs: number): Promise<void> {
    switch (this.#state) {
      case "stopped":
      case "shutdown":
        return;
      case "stopping":
        return await this.#stopping!;
      case "starting": {
        const attempt = this.#start!;
        const reason = this.#closing ? "shutdown" : "aborted";
        attempt.abort.abort(new StartInterrupted(graceMs, reason));
        return await attempt.finished;
      }
      case "ready":
        return await this.#teardown(this.#child!, graceMs);
    }
  }

  async shutdown(graceMs: number): Promise<void> {
    this.#closing = true;
    while (this.#state !== "stopped" && this.#state !== "shutdown") {
      await this.stop(graceMs);
    }
    this.#setState("shutdown");
    while (this.#background.size > 0) {
      await Promise.all(this.#background);
    }
  }

  /** Shuts down with the model's unload grace, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.shutdown(this.#config.unloadTimeout * 1000);
  }

  beginRequest(): () => void {
    this.#inFlight++;
    this.#idle.disarm();
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      this.#inFlight--;
      if (this.#inFlight === 0 && this.#state === "ready") this.#idle.arm();
    };
  }

  onStateChange(listener: (change: StateChange) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * 1. ready: done. 2. shutdown (or shutting down): refuse. 3. starting:
   * share that start. 4. stopping: wait for the stop, then look again.
   * 5. stopped: start, then share that start.
   */
  async #ensureReady(): Promise<void> {
    for (;;) {
      switch (this.#state) {
        case "ready": // 1
          return;
        case "shutdown": // 2
          throw this.#shutdownError();
        case "starting": // 3
          return await this.#start!.ready;
        case "stopping": // 4
          await this.#stopping;
          break;
        case "stopped": // 5
          if (this.#closing) throw this.#shutdownError(); // 2
          return await this.#beginStart().ready;
      }
    }
  }

  /** Moves to `starting` and launches the child; the start runs on its own. */
  #beginStart(): StartAttempt {
    const abort = new AbortController();
    const outcome = deferred<void>();
    const attempt: StartAttempt = {
      abort,
      ready: outcome.promise,
      finished: Promise.resolve(),
    };
    this.#start = attempt;
    this.#setState("starting");

    attempt.finished = this.#runStart(abort.signal)
      .then(outcome.resolve, outcome.reject)
      .finally(() => {
        if (this.#start === attempt) this.#start = null;
      });
    return attempt;
  }

  /** Resolves in `ready`; rejects with `StartError` once back in `stopped`. */
  async #runStart(signal: AbortSignal): Promise<void> {
    const { proxy, cmd, checkEndpoint } = this.#config;
    const began = this.#clock.now();
    if (!URL.canParse(proxy)) {
      const detail = proxy.trim() === ""
        ? "no proxy URL is configured"
        : `proxy URL "${proxy}" is not valid`;
      throw this.#failStart("config", detail);
    }

    let argv: string[];
    let child: RunningChild;
    try {
      argv = splitCommand(cmd);
    } catch (error) {
      throw this.#failStart("spawn", errorText(error), error);
    }
    try {
      child = RunningChild.spawn(this.#control, argv, this.#env, this.#sinks);
    } catch (error) {
      const detail = `cannot run "${argv[0]}": ${describeSpawnError(error)}`;
      throw this.#failStart("spawn", detail, error);
    }
    this.#adopt(child, began);

    const outcome = skipsHealthCheck(checkEndpoint)
      ? "healthy"
      : await this.#waitHealthy(child, signal);

    if (signal.aborted) {
      const interrupted = signal.reason as StartInterrupted;
      await this.#teardown(child, interrupted.graceMs);
      throw this.#failStart(interrupted.reason, "the start was interrupted");
    }
    if (child.exit) {
      await this.#finish(child);
      const detail = `the command exited with ${
        describeExit(child.exit)
      } before it became healthy`;
      throw this.#failStart("exited", detail);
    }
    if (outcome === "timeout") {
      const seconds = this.#config.healthCheckTimeout;
      await this.#teardown(child, FAILED_START_GRACE_MS);
      throw this.#failStart(
        "timeout",
        `health check timed out after ${seconds}s`,
      );
    }

    const ms = this.#clock.now() - began;
    this.#log.info("model ready", { model: this.model, pid: child.pid, ms });
    if (this.#inFlight === 0) this.#idle.arm();
    this.#setState("ready");
  }

  /** Probes until healthy, timed out, stopped, or the child exited. */
  #waitHealthy(
    child: RunningChild,
    signal: AbortSignal,
  ): Promise<HealthOutcome> {
    const exited = new AbortController();
    child.exited.then(() => exited.abort());
    return waitUntilHealthy({
      url: healthUrl(this.#config.proxy, this.#config.checkEndpoint),
      timeoutMs: this.#config.healthCheckTimeout * 1000,
      signal: AbortSignal.any([signal, exited.signal]),
      clock: this.#clock,
      fetch: this.#fetch,
    });
  }

  /** Builds the start error; leaves `starting` for `stopped` if still there. */
  #failStart(
    reason: StartFailure,
    detail: string,
    cause?: unknown,
  ): StartError {
    const message = `Cannot start model "${this.model}": ${detail}`;
    const fields = { model: this.model, reason, error: detail };
    if (reason === "aborted" || reason === "shutdown") {
      this.#log.debug("model start abandoned", fields);
    } else {
      this.#log.warn("model failed to start", fields);
    }
    if (this.#state === "starting") this.#setState("stopped");
    return new StartError(
      this.model,
      reason,
      message,
      cause === undefined ? undefined : { cause },
    );
  }

  /** Makes `child` the current one: recorded, and watched for exits. */
  #adopt(child: RunningChild, startedAt: number): void {
    this.#child = child;
    this.#log.debug("model process spawned", {
      model: this.model,
      pid: child.pid,
      argv: child.argv.join(" "),
    });
    child.exited.then((exit) => this.#onExit(child, exit));
    this.#track(
      this.#registry?.add({
        ownerPid: Deno.pid,
        pgid: child.pid,
        pid: child.pid,
        model: this.model,
        argv0: child.argv[0] ?? "",
        startedAt,
      }),
    );
  }

  /** After `child` is gone for good: forget it and its registry record. */
  #release(child: RunningChild): void {
    if (this.#child === child) this.#child = null;
    this.#track(this.#registry?.remove(child.pid));
  }

  /** An exit we did not ask for while ready is a crash. */
  #onExit(child: RunningChild, exit: ChildExit): void {
    if (this.#child !== child || this.#state !== "ready") return;
    this.#log.warn("upstream exited unexpectedly", {
      model: this.model,
      pid: child.pid,
      code: exit.code,
      signal: exit.signal,
    });
    this.#idle.disarm();
    this.#child = null;
    this.#track(this.#finish(child));
    this.#setState("stopped");
  }

  /**
   * Moves to `stopping` at once and stops `child`; the returned promise
   * (also kept for joiners) resolves once the state is `stopped`.
   */
  #teardown(child: RunningChild, graceMs: number): Promise<void> {
    const done = deferred<void>();
    this.#stopping = done.promise;
    this.#idle.disarm();
    this.#setState("stopping");

    const began = this.#clock.now();
    stopChild(child, {
      graceMs,
      requestStop: () => this.#requestStop(child),
      control: this.#control,
      clock: this.#clock,
      log: this.#log,
    }).then(({ forced }) => {
      const ms = this.#clock.now() - began;
      this.#log.info("model stopped", {
        model: this.model,
        pid: child.pid,
        ms,
        forced,
      });
    }).catch((error) => {
      this.#log.warn("stop failed", {
        model: this.model,
        pid: child.pid,
        error: errorText(error),
      });
    }).finally(() => {
      this.#release(child);
      this.#stopping = null;
      this.#setState("stopped");
      done.resolve();
    });
    return done.promise;
  }

  /** Cleans up after a child that exited by itself. */
  async #finish(child: RunningChild): Promise<void> {
    await finishChild(child, {
      control: this.#control,
      clock: this.#clock,
      log: this.#log,
    });
    this.#release(child);
  }

  /** `cmdStop` when configured and runnable, else SIGTERM to the group. */
  #requestStop(child: RunningChild): void {
    if (this.#config.cmdStop.trim() !== "") {
      const running = runStopCommand({
        cmdStop: this.#config.cmdStop,
        target: child,
        env: this.#env,
        sinks: this.#sinks,
        control: this.#control,
        clock: this.#clock,
        log: this.#log,
      });
      if (running) {
        this.#track(running);
        return;
      }
    }

    try {
      this.#control.terminateGroup(child.pid);
    } catch (error) {
      this.#log.warn("cannot signal process group", {
        model: this.model,
        pid: child.pid,
        error: errorText(error),
      });
    }
  }

  #onIdle(): void {
    if (this.#state !== "ready" || this.#inFlight > 0) return;
    this.#log.info("unloading model, ttl reached", {
      model: this.model,
      ttl: this.#config.ttl,
    });
    this.#track(this.stop(this.#config.unloadTimeout * 1000));
  }

  #setState(to: ProcessState): void {
    const from = this.#state;
    if (from === to) return;
    this.#state = to;

    const change = { model: this.model, from, to, at: this.#clock.now() };
    const listeners = [...this.#listeners];
    queueMicrotask(() => {
      for (const listener of listeners) {
        if (!this.#listeners.has(listener)) continue;
        try {
          listener(change);
        } catch (error) {
          this.#log.warn("state listener failed", {
            model: this.model,
            error: errorText(error),
          });
        }
      }
    });
  }

  /** Keeps background work (registry writes, cmdStop) for `shutdown()`. */
  #track(work: Promise<void> | undefined): void {
    if (!work) return;
    const kept = work.catch((error) => {
      this.#log.warn("background task failed", {
        model: this.model,
        error: errorText(error),
      });
    }).finally(() => this.#background.delete(kept));
    this.#background.add(kept);
  }

  #shutdownError(): StartError {
    return new StartError(
      this.model,
      "shutdown",
      `Cannot start model "${this.model}": the process was shut down`,
    );
  }
}

/** `promise`, except that aborting `signal` rejects early with its reason. */
function detachable(
  promise: Promise<void>,
  signal: AbortSignal,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(resolve, reject).finally(() =>
      signal.removeEventListener("abort", onAbort)
    );
  });
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
