import type { Config } from "../config/types.ts";
import { type Clock, systemClock } from "../lib/mod.ts";
import type { Logger } from "../log/mod.ts";
import type { Planner } from "../planners/mod.ts";
import type { ModelProcessHandle } from "../process/mod.ts";
import { Caller } from "./caller.ts";
import { Channel } from "./channel.ts";
import { diffProcesses } from "./config_change.ts";
import { RouterError } from "./errors.ts";
import type { RouterEvent } from "./events.ts";
import { FifoScheduler } from "./fifo_scheduler.ts";
import { fifoSettings } from "./fifo_settings.ts";
import { LiveEffects } from "./live_effects.ts";
import { runRouterLoop } from "./loop.ts";
import type { RouterNotice } from "./notice.ts";
import type { RouterSnapshot } from "./snapshot.ts";
import type { RequestOptions, Ticket } from "./ticket.ts";

export interface RouterOptions {
  config: Config;
  /** One process per model ID of `config.models`. */
  processes: ReadonlyMap<string, ModelProcessHandle>;
  planner: Planner;
  logger: Logger;
  clock?: Clock;
}

/** A new configuration for `Router.reconfigure()`. */
export interface RouterConfiguration {
  config: Config;
  /**
   * One process per model ID of `config.models`. Passing a model's current
   * process object keeps it untouched; a new object replaces it.
   */
  processes: ReadonlyMap<string, ModelProcessHandle>;
  planner: Planner;
}

/** What a reconfiguration did, once the run loop applied it. */
export interface ReconfigureResult {
  /** Models whose process carries on untouched. */
  readonly kept: readonly string[];
  /** Models whose old process drains, retires and makes way for a new one. */
  readonly replaced: readonly string[];
  /** Models of `replaced` whose old process was starting or ready. */
  readonly wereRunning: readonly string[];
  /** Models whose old process drains and retires for good. */
  readonly removed: readonly string[];
  readonly added: readonly string[];
}

/**
 * `request()` and `unload()` for callers that resolved a model against
 * one configuration (see `Router.view()`).
 */
export interface RouterView {
  request(model: string, options: RequestOptions): Promise<Ticket>;
  unload(
    models?: readonly string[],
    options?: { timeoutMs?: number },
  ): Promise<void>;
}

/**
 * What the HTTP layer talks to: admission, grants, unloads, config
 * changes and shutdown for the local models. Every method posts an event
 * to the run loop and returns without waiting for it; answers come back
 * through promises.
 */
export class Router {
  readonly #channel = new Channel<RouterEvent>();
  readonly #log: Logger;
  readonly #effects: LiveEffects;
  readonly #scheduler: FifoScheduler;
  /** The configuration most recently handed to the loop. */
  #config: Config;
  #processes: ReadonlyMap<string, ModelProcessHandle>;
  /** Every process object watched for state changes, and how to stop. */
  readonly #watched = new Map<ModelProcessHandle, () => void>();
  #generation = 0;
  /** Model -> the latest generation that changed its `proxy` address. */
  readonly #movedAt = new Map<string, number>();
  #loop: Promise<void> | null = null;
  #shutdown: Promise<void> | null = null;
  #closing = false;
  #lastId = 0;

  /** Throws when a model of `config` has no process. */
  constructor(options: RouterOptions) {
    checkProcesses("create the router", options.config, options.processes);
    this.#config = options.config;
    this.#processes = options.processes;
    this.#log = options.logger.child("router");
    this.#effects = new LiveEffects({
      processes: options.processes,
      clock: options.clock ?? systemClock,
      log: this.#log,
      post: (event) => this.#post(event),
      onShutdownFinished: () => this.#channel.close(),
      onRetired: (process) => this.#unwatch(process),
    });
    this.#scheduler = new FifoScheduler({
      effects: this.#effects,
      planner: options.planner,
      settings: fifoSettings(options.config),
    });
  }

  /** Starts the run loop and watches every process. Idempotent. */
  start(): void {
    if (this.#loop) return;

    this.#watchAll(this.#processes);
    this.#loop = runRouterLoop(this.#channel, this.#scheduler, this.#log)
      .finally(() => {
        for (const process of [...this.#watched.keys()]) {
          this.#unwatch(process);
        }
        this.#effects.settleUnloads();
      });
  }

  /**
   * Asks for `model`. Resolves once admitted, with a ticket whose `lease`
   * resolves when the model is ready for this request. Rejects with a
   * `RouterError`: 404 for a model this router does not serve, 429 over
   * the model's `concurrencyLimit` (`retryAfter` 1), 503 when shutting
   * down, 499 when `signal` aborted first.
   */
  request(model: string, options: RequestOptions): Promise<Ticket> {
    return this.#request(model, options, this.#generation);
  }

  /**
   * This router for callers that resolved models against the config
   * current now. A request through it for a model whose `proxy` address a
   * later `reconfigure()` changed is refused with 503 (code
   * `model_reconfigured`): its caller would forward to the old address.
   */
  view(): RouterView {
    const generation = this.#generation;
    return {
      request: (model, options) => this.#request(model, options, generation),
      unload: (models, options) => this.unload(models, options),
    };
  }

  /**
   * Unloads `models` (all when omitted; unknown names are ignored), each
   * with `timeoutMs` as grace or else its own `unloadTimeout`. Resolves
   * once they are stopped. Requests waiting for them get 500; other
   * models are served meanwhile.
   */
  unload(
    models?: readonly string[],
    options: { timeoutMs?: number } = {},
  ): Promise<void> {
    if (this.#shutdown) return this.#shutdown;

    const unloadId = ++this.#lastId;
    const done = this.#effects.trackUnload(unloadId);
    this.#post({
      kind: "unloadRequested",
      unloadId,
      models: models ?? null,
      timeoutMs: options.timeoutMs ?? null,
    });
    return done;
  }

  /**
   * Hands the run loop a new configuration, applied in one step between
   * two events (see `FifoScheduler.onConfigReplaced()`): a model whose
   * process object is the same keeps running untouched; a replaced or
   * removed model's old process finishes the requests it serves, then is
   * shut down; requests for it wait meanwhile, then load the new process
   * (removed or moved models: refused with 503). Resolves once applied.
   *
   * Throws at once when a model of `next.config` has no process; rejects
   * when the router is shutting down.
   */
  reconfigure(next: RouterConfiguration): Promise<ReconfigureResult> {
    if (this.#closing) {
      return Promise.reject(
        new Error("Cannot reconfigure the router: it is shutting down"),
      );
    }
    checkProcesses("reconfigure the router", next.config, next.processes);

    const diff = diffProcesses(
      { config: this.#config, processes: this.#processes },
      next,
    );
    const generation = ++this.#generation;
    for (const model of diff.moved) this.#movedAt.set(model, generation);
    this.#config = next.config;
    this.#processes = next.processes;
    if (this.#loop) this.#watchAll(next.processes);

    const installed = this.#effects.stageProcesses(generation, next.processes);
    this.#post({
      kind: "configReplaced",
      change: {
        generation,
        settings: fifoSettings(next.config),
        planner: next.planner,
        replaced: diff.replaced,
        moved: diff.moved,
        removed: diff.removed,
      },
    });
    return installed.then((wereRunning) => ({
      kept: diff.kept,
      replaced: diff.replaced,
      wereRunning,
      removed: diff.removed,
      added: diff.added,
    }));
  }

  /**
   * Refuses new requests and every waiting one with 503, shuts every
   * process down in parallel (grace `timeoutMs`, else each model's
   * `unloadTimeout` capped at `maxGraceMs`), and resolves when they are
   * down and the loop ended. A second call returns the first call's
   * promise.
   */
  shutdown(
    timeoutMs?: number,
    options: { maxGraceMs?: number } = {},
  ): Promise<void> {
    if (this.#shutdown) return this.#shutdown;

    this.#closing = true;
    this.start();
    this.#post({
      kind: "shutdownRequested",
      timeoutMs: timeoutMs ?? null,
      maxGraceMs: options.maxGraceMs ?? null,
    });
    this.#shutdown = this.#loop ?? Promise.resolve();
    return this.#shutdown;
  }

  /** The scheduling state right now, for the UI and metrics. */
  snapshot(): RouterSnapshot {
    return this.#scheduler.snapshot();
  }

  /** Observes scheduling decisions; the result unsubscribes. */
  onNotice(listener: (notice: RouterNotice) => void): () => void {
    return this.#effects.onNotice(listener);
  }

  #request(
    model: string,
    options: RequestOptions,
    generation: number,
  ): Promise<Ticket> {
    if (this.#closing) return Promise.reject(RouterError.shuttingDown(model));
    if (options.signal.aborted) {
      return Promise.reject(
        RouterError.clientGone(model, options.signal.reason),
      );
    }
    if ((this.#movedAt.get(model) ?? 0) > generation) {
      return Promise.reject(RouterError.reconfigured(model, "moved"));
    }

    const id = ++this.#lastId;
    const caller = new Caller({
      ...options,
      id,
      model,
      post: (event) => this.#post(event),
      onSettled: () => this.#effects.removeCaller(id),
    });
    this.#effects.addCaller(caller);
    this.#post({ kind: "requestArrived", request: caller.request });
    return caller.ticket;
  }

  #watchAll(processes: ReadonlyMap<string, ModelProcessHandle>): void {
    for (const process of processes.values()) {
      if (this.#watched.has(process)) continue;
      const stop = process.onStateChange((change) =>
        this.#post({ kind: "processChanged", change })
      );
      this.#watched.set(process, stop);
    }
  }

  #unwatch(process: ModelProcessHandle): void {
    this.#watched.get(process)?.();
    this.#watched.delete(process);
  }

  #post(event: RouterEvent): void {
    if (!this.#channel.send(event)) {
      this.#log.debug("event after shutdown dropped", { event: event.kind });
    }
  }
}

/** Throws, naming `action`, when a model of `config` has no process. */
function checkProcesses(
  action: string,
  config: Config,
  processes: ReadonlyMap<string, ModelProcessHandle>,
): void {
  for (const model of Object.keys(config.models)) {
    if (!processes.has(model)) {
      throw new Error(`Cannot ${action}: no process for model "${model}"`);
    }
  }
}
