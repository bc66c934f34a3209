import type { ModelConfig } from "../config/types.ts";
import { type Clock, deferred, systemClock } from "../lib/mod.ts";
import type { LogBuffer, Logger } from "../log/mod.ts";
import { BackgroundWork } from "./background_work.ts";
import { ChildOwner } from "./child_owner.ts";
import { detachable } from "./detachable.ts";
import { IdleTimer } from "./idle_timer.ts";
import { parseEnvEntries } from "./launch_settings.ts";
import {
  type ChildExit,
  posixProcessControl,
  type ProcessControl,
} from "./process_control.ts";
import type { ProcessRegistry } from "./registry.ts";
import {
  describeExit,
  type OutputSink,
  type RunningChild,
} from "./running_child.ts";
import { startChild } from "./start_child.ts";
import { StatePublisher } from "./state_publisher.ts";
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

/** Grace given to a child whose health check timed out. */
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
  /** The start has failed and its child is being cleaned up. */
  failing: boolean;
}

/**
 * True once an attempt can no longer end in `ready`: it failed, or
 * `stop()` has interrupted it (its child may still be going away).
 */
function doomed(attempt: StartAttempt): boolean {
  return attempt.failing || attempt.abort.signal.aborted;
}

/**
 * Owns one model's child process from spawn to exit: start, readiness,
 * stop, idle unload and crash detection.
 *
 * Every decision to start or stop is taken here, from the current state,
 * never from a snapshot read elsewhere; an operation arriving while another
 * runs joins it or waits for it. Listeners hear of each state change in a
 * microtask after it (see `StatePublisher`).
 *
 * A start that fails or is interrupted goes from `starting` straight to
 * `stopped` once its child is gone (a health timeout gives the child
 * `FAILED_START_GRACE_MS`, a stop during the start its own grace), and
 * only then rejects its waiters; `stopping` is shown only on the way out
 * of `ready`. No waiter can be pending while `ready`, so the `crashed`
 * failure reason is never produced here.
 */
export class ModelProcess implements ModelProcessHandle, AsyncDisposable {
  readonly model: string;
  #config: ModelConfig;
  #log: Logger;
  #sinks: OutputSink[];
  #clock: Clock;
  #fetch: typeof fetch;
  #control: ProcessControl;
  #env: Record<string, string>;

  #state: StatePublisher;
  #children: ChildOwner;
  #start: StartAttempt | null = null;
  #stopping: Promise<void> | null = null;
  #closing = false;
  #inFlight = 0;
  #idle: IdleTimer;
  #background: BackgroundWork;

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
    this.#env = parseEnvEntries(options.config.env);
    this.#state = new StatePublisher(this.model, this.#clock, this.#log);
    this.#background = new BackgroundWork(this.#log);
    this.#children = new ChildOwner({
      model: this.model,
      cmdStop: options.config.cmdStop,
      env: this.#env,
      sinks: this.#sinks,
      control: this.#control,
      clock: this.#clock,
      log: this.#log,
      registry: options.registry ?? null,
      background: this.#background,
    });
    this.#idle = new IdleTimer({
      delayMs: options.config.ttl * 1000,
      clock: this.#clock,
      onIdle: () => this.#onIdle(),
    });
  }

  get state(): ProcessState {
    return this.#state.current;
  }

  get pid(): number | null {
    return this.#children.current?.pid ?? null;
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
    switch (this.#state.current) {
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
        return await this.#teardown(this.#children.current!, graceMs);
    }
  }

  async shutdown(graceMs: number): Promise<void> {
    this.#closing = true;
    while (this.state !== "stopped" && this.state !== "shutdown") {
      await this.stop(graceMs);
    }
    this.#state.set("shutdown");
    await this.#background.settled();
  }

  /** Shuts down with the model's unload grace, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.shutdown(this.#config.unloadTimeout * 1000);
  }

  /**
   * Takes a reloaded config's `ttl` and `unloadTimeout` without a restart;
   * a ready process with no request in flight starts its idle period over
   * with the new `ttl`. Called by the server on reload, only with a config
   * whose other process settings (`cmd`, `cmdStop`, `env`, `proxy`, health
   * check) are unchanged: those are read once, when the process is built.
   */
  updateIdleSettings(config: ModelConfig): void {
    this.#idle.disarm();
    this.#config = config;
    this.#idle = new IdleTimer({
      delayMs: config.ttl * 1000,
      clock: this.#clock,
      onIdle: () => this.#onIdle(),
    });
    if (this.state === "ready" && this.#inFlight === 0) this.#idle.arm();
  }

  beginRequest(): () => void {
    this.#inFlight++;
    this.#idle.disarm();
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      this.#inFlight--;
      if (this.#inFlight === 0 && this.state === "ready") this.#idle.arm();
    };
  }

  onStateChange(listener: (change: StateChange) => void): () => void {
    return this.#state.subscribe(listener);
  }

  /**
   * 1. ready: done. 2. shutdown (or shutting down): refuse. 3. starting:
   * share that start, or, when it has failed or a stop has interrupted it
   * (its child is being cleaned up), wait for that and look again.
   * 4. stopping: wait for the stop, then look again. 5. stopped: start,
   * and share that start.
   */
  async #ensureReady(): Promise<void> {
    for (;;) {
      switch (this.#state.current) {
        case "ready": // 1
          return;
        case "shutdown": // 2
          throw this.#shutdownError();
        case "starting": { // 3
          const attempt = this.#start!;
          if (!doomed(attempt)) return await attempt.ready;
          await attempt.finished;
          break;
        }
        case "stopping": // 4
          await this.#stopping;
          break;
        case "stopped": // 5
          if (this.#closing) throw this.#shutdownError(); // 2
          return await this.#beginStart().ready;
      }
    }
  }

  /** Moves to `starting` and launches the start, which runs on its own. */
  #beginStart(): StartAttempt {
    const abort = new AbortController();
    const outcome = deferred<void>();
    const attempt: StartAttempt = {
      abort,
      ready: outcome.promise,
      finished: Promise.resolve(),
      failing: false,
    };
    this.#start = attempt;
    this.#state.set("starting");

    attempt.finished = this.#runStart(attempt)
      .then(outcome.resolve, outcome.reject)
      .finally(() => {
        if (this.#start === attempt) this.#start = null;
      });
    return attempt;
  }

  /** Resolves in `ready`; rejects with `StartError` once back in `stopped`. */
  async #runStart(attempt: StartAttempt): Promise<void> {
    const { signal } = attempt.abort;
    const began = this.#clock.now();
    const outcome = await startChild({
      config: this.#config,
      env: this.#env,
      control: this.#control,
      sinks: this.#sinks,
      clock: this.#clock,
      fetch: this.#fetch,
      signal,
      onSpawn: (child) => {
        this.#children.adopt(child, began);
        child.exited.then((exit) => this.#onExit(child, exit));
      },
    });

    attempt.failing = outcome.kind !== "ready";
    switch (outcome.kind) {
      case "launchFailed": {
        const { reason, detail, cause } = outcome.failure;
        throw this.#failStart(reason, detail, cause);
      }
      case "interrupted": {
        const interrupted = signal.reason as StartInterrupted;
        await this.#children.stop(outcome.child, interrupted.graceMs);
        throw this.#failStart(interrupted.reason, "the start was interrupted");
      }
      case "exited": {
        await this.#children.finish(outcome.child);
        const how = describeExit(outcome.child.exit!);
        const detail =
          `the command exited with ${how} before it became healthy`;
        throw this.#failStart("exited", detail);
      }
      case "timeout": {
        const seconds = this.#config.healthCheckTimeout;
        await this.#children.stop(outcome.child, FAILED_START_GRACE_MS);
        throw this.#failStart(
          "timeout",
          `health check timed out after ${seconds}s`,
        );
      }
      case "ready": {
        const ms = this.#clock.now() - began;
        const pid = outcome.child.pid;
        this.#log.info("model ready", { model: this.model, pid, ms });
        if (this.#inFlight === 0) this.#idle.arm();
        this.#state.set("ready");
        // An exit between the last probe and this step is a crash too.
        const { child } = outcome;
        if (child.exit) this.#onExit(child, child.exit);
      }
    }
  }

  /** Logs and builds the start error; leaves `starting` for `stopped`. */
  #failStart(
    reason: StartFailure,
    detail: string,
    cause?: unknown,
  ): StartError {
    const fields = { model: this.model, reason, error: detail };
    if (reason === "aborted" || reason === "shutdown") {
      this.#log.debug("model start abandoned", fields);
    } else {
      this.#log.warn("model failed to start", fields);
    }
    if (this.state === "starting") this.#state.set("stopped");

    const message = `Cannot start model "${this.model}": ${detail}`;
    const options = cause === undefined ? undefined : { cause };
    return new StartError(this.model, reason, message, options);
  }

  /** An exit we did not ask for while ready is a crash. */
  #onExit(child: RunningChild, exit: ChildExit): void {
    if (this.#children.current !== child || this.state !== "ready") return;
    this.#log.warn("upstream exited unexpectedly", {
      model: this.model,
      pid: child.pid,
      code: exit.code,
      signal: exit.signal,
    });
    this.#idle.disarm();
    this.#background.track(
      this.#children.finish(child),
      "cleanup after a crash",
    );
    this.#state.set("stopped");
  }

  /**
   * Moves a ready model to `stopping` at once and stops `child`; the
   * returned promise, also kept for joiners, resolves once the state is
   * `stopped`.
   */
  #teardown(child: RunningChild, graceMs: number): Promise<void> {
    this.#idle.disarm();
    this.#state.set("stopping");
    const stopped = this.#children.stop(child, graceMs).then(() => {
      this.#stopping = null;
      this.#state.set("stopped");
    });
    this.#stopping = stopped;
    return stopped;
  }

  #onIdle(): void {
    if (this.state !== "ready" || this.#inFlight > 0) return;
    this.#log.info("unloading model, ttl reached", {
      model: this.model,
      ttl: this.#config.ttl,
    });
    const unload = this.stop(this.#config.unloadTimeout * 1000);
    this.#background.track(unload, "ttl unload");
  }

  #shutdownError(): StartError {
    return new StartError(
      this.model,
      "shutdown",
      `Cannot start model "${this.model}": the process was shut down`,
    );
  }
}
