import type { Config } from "../config/types.ts";
import { type Clock, systemClock } from "../lib/mod.ts";
import type { Logger } from "../log/mod.ts";
import type { Planner } from "../planners/mod.ts";
import type { ModelProcessHandle } from "../process/mod.ts";
import { Caller } from "./caller.ts";
import { Channel } from "./channel.ts";
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

/**
 * What the HTTP layer talks to: admission, grants, unloads and shutdown
 * for the local models. Every method posts an event to the run loop and
 * returns without waiting for it; answers come back through promises.
 */
export class Router {
  readonly #channel = new Channel<RouterEvent>();
  readonly #processes: ReadonlyMap<string, ModelProcessHandle>;
  readonly #log: Logger;
  readonly #effects: LiveEffects;
  readonly #scheduler: FifoScheduler;
  #loop: Promise<void> | null = null;
  #shutdown: Promise<void> | null = null;
  #closing = false;
  #lastId = 0;

  /** Throws when a model of `config` has no process. */
  constructor(options: RouterOptions) {
    for (const model of Object.keys(options.config.models)) {
      if (!options.processes.has(model)) {
        throw new Error(
          `Cannot create the router: no process for model "${model}"`,
        );
      }
    }
    this.#processes = options.processes;
    this.#log = options.logger.child("router");
    this.#effects = new LiveEffects({
      processes: options.processes,
      clock: options.clock ?? systemClock,
      log: this.#log,
      post: (event) => this.#post(event),
      onShutdownFinished: () => this.#channel.close(),
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

    const unsubscribe = [...this.#processes.values()].map((process) =>
      process.onStateChange((change) =>
        this.#post({ kind: "processChanged", change })
      )
    );
    this.#loop = runRouterLoop(this.#channel, this.#scheduler, this.#log)
      .finally(() => {
        for (const stop of unsubscribe) stop();
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
    if (this.#closing) return Promise.reject(RouterError.shuttingDown(model));
    if (options.signal.aborted) {
      return Promise.reject(
        RouterError.clientGone(model, options.signal.reason),
      );
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
   * Refuses new requests and every waiting one with 503, shuts every
   * process down in parallel (grace `timeoutMs`, else each model's
   * `unloadTimeout`), and resolves when they are down and the loop ended.
   * A second call returns the first call's promise.
   */
  shutdown(timeoutMs?: number): Promise<void> {
    if (this.#shutdown) return this.#shutdown;

    this.#closing = true;
    this.start();
    this.#post({ kind: "shutdownRequested", timeoutMs: timeoutMs ?? null });
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

  #post(event: RouterEvent): void {
    if (!this.#channel.send(event)) {
      this.#log.debug("event after shutdown dropped", { event: event.kind });
    }
  }
}
