import type { ModelConfig } from "../config/mod.ts";
import { type Clock, errorText, systemClock } from "../lib/mod.ts";
import type { Logger } from "../log/mod.ts";
import type { UpstreamResponse, UpstreamSend } from "../proxy/mod.ts";
import type { Lease, RouterNotice, RouterView } from "../router/mod.ts";

/** Where a preload's `GET /` goes, and with which settings. */
export interface PreloadUpstream {
  /** The proxy's upstream client. */
  readonly send: UpstreamSend;
  /**
   * The models' settings (`proxy`, `timeouts`), from the config the
   * router view was taken from.
   */
  readonly models: Readonly<Record<string, ModelConfig>>;
}

export interface PreloadOptions {
  readonly logger: Logger;
  /** Aborting it (shutdown) ends the walk and the request under way. */
  readonly signal: AbortSignal;
  /**
   * Why, for the log: `preload` (hooks.on_startup.preload) or `restart`
   * (a model a reload replaced while it was running).
   */
  readonly reason: "preload" | "restart";
  /**
   * Sends each model a `GET /` under its lease. Without it (restarts),
   * the lease is released unused.
   */
  readonly upstream?: PreloadUpstream;
  /**
   * The router's notices (`Router.onNotice`). With them, a restart is
   * dropped when a swap for another model evicts the model before it is
   * back: that model was not the one to keep running any more.
   */
  readonly notices?: (listener: (notice: RouterNotice) => void) => () => void;
  readonly clock?: Clock;
}

/** How one model's load ended: what llama-swap's ModelPreloadedEvent says. */
export interface PreloadResult {
  readonly model: string;
  readonly success: boolean;
}

/**
 * Loads `models` one after another through the router, so the planner's
 * rules apply exactly as for requests (models that cannot run together
 * simply swap). Each is requested like a client would; with `upstream`,
 * a real `GET /` then goes to the model's upstream under the lease (the
 * body is read and dropped; a status below 400 counts as success), as
 * llama-swap's preload hook does. Releasing the lease starts the model's
 * TTL. Each outcome is logged (info, or warn for a failure) and the next
 * model is tried; an aborted `signal` stops the walk and leaves the
 * models not reached out of the results.
 */
export async function preloadModels(
  router: Pick<RouterView, "request">,
  models: readonly string[],
  options: PreloadOptions,
): Promise<PreloadResult[]> {
  const log = options.logger.child("preload");
  const results: PreloadResult[] = [];
  const evictions = options.reason === "restart" && options.notices
    ? new Evictions(options.notices)
    : null;
  try {
    for (const model of models) {
      if (options.signal.aborted) break;
      const by = evictions?.evictedBy(model);
      const success = by
        ? dropRestart(model, by, log)
        : await loadOne(router, model, options, log, evictions);
      if (success === null) break;
      results.push({ model, success });
    }
  } finally {
    evictions?.stop();
  }
  return results;
}

function dropRestart(model: string, evictedBy: string, log: Logger): false {
  log.info("restart dropped", { model, evictedBy });
  return false;
}

/**
 * The models swaps for other models evicted since a restart walk began,
 * from the router's notices, and the abort of the one being requested
 * when it is among them.
 */
class Evictions {
  #by = new Map<string, string>();
  #waiting: { model: string; controller: AbortController } | null = null;
  #unsubscribe: () => void;

  constructor(notices: NonNullable<PreloadOptions["notices"]>) {
    this.#unsubscribe = notices((notice) => {
      if (notice.kind !== "swapStarted") return;
      for (const model of notice.evict) {
        if (model === notice.model || this.#by.has(model)) continue;
        this.#by.set(model, notice.model);
        if (this.#waiting?.model === model) {
          this.#waiting.controller.abort(
            new Error(`evicted by ${notice.model}`),
          );
        }
      }
    });
  }

  evictedBy(model: string): string | undefined {
    return this.#by.get(model);
  }

  /**
   * A signal for requesting `model` that also aborts when it is evicted;
   * `granted()` stops that once the router has handed it over.
   */
  request(model: string, outer: AbortSignal) {
    const controller = new AbortController();
    const follow = () => controller.abort(outer.reason);
    outer.addEventListener("abort", follow, { once: true });
    this.#waiting = { model, controller };
    return {
      signal: controller.signal,
      granted: () => {
        if (this.#waiting?.controller === controller) this.#waiting = null;
        outer.removeEventListener("abort", follow);
      },
    };
  }

  stop(): void {
    this.#unsubscribe();
  }
}

/** True: loaded (and answered); false: failed; null: aborted. */
async function loadOne(
  router: Pick<RouterView, "request">,
  model: string,
  options: PreloadOptions,
  log: Logger,
  evictions: Evictions | null,
): Promise<boolean | null> {
  const { reason, upstream } = options;
  const clock = options.clock ?? systemClock;
  const began = clock.now();
  let lease: Lease | null = null;
  const watched = evictions?.request(model, options.signal) ?? null;
  const signal = watched?.signal ?? options.signal;
  try {
    const ticket = await router.request(model, { signal });
    lease = await ticket.lease;
    watched?.granted();
    if (!upstream) {
      log.info("model loaded", { model, reason });
      return true;
    }

    const status = await getRoot(model, upstream, signal, clock);
    const fields = { model, status, ms: clock.now() - began };
    if (status < 400) log.info("model preloaded", fields);
    else log.warn("model preload failed", fields);
    return status < 400;
  } catch (error) {
    if (options.signal.aborted) return null;
    const by = evictions?.evictedBy(model);
    if (by) return dropRestart(model, by, log);
    const text = errorText(error);
    if (upstream) log.warn("model preload failed", { model, error: text });
    else log.warn("cannot load model", { model, reason, error: text });
    return false;
  } finally {
    watched?.granted();
    lease?.release();
  }
}

/**
 * Sends `GET /` to `model`'s upstream with its `connect`, `tlsHandshake`,
 * `idleConn` and `responseHeader` timeouts, reads the body to its end
 * and resolves with the status. Rejects when no answer comes.
 */
async function getRoot(
  model: string,
  upstream: PreloadUpstream,
  signal: AbortSignal,
  clock: Clock,
): Promise<number> {
  const config = upstream.models[model];
  if (!config) throw new Error(`no settings for model "${model}"`);
  const { timeouts } = config;

  const response = await withinMs(
    timeouts.responseHeader * 1000,
    signal,
    clock,
    (limited) =>
      upstream.send(rootUrl(config.proxy), {
        method: "GET",
        headers: [],
        body: null,
        signal: limited,
        connectTimeoutMs: timeouts.connect * 1000,
        tlsHandshakeMs: timeouts.tlsHandshake * 1000,
        idleConnMs: timeouts.idleConn * 1000,
      }),
  );
  await discardBody(response);
  return response.status;
}

/**
 * Runs `send` with a signal that also aborts after `ms` (0: never),
 * the time limit lifted once `send` settles, as for a response header.
 */
async function withinMs<T>(
  ms: number,
  signal: AbortSignal,
  clock: Clock,
  send: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  if (ms <= 0) return await send(signal);
  const timer = new AbortController();
  const cancel = clock.setTimer(
    () => timer.abort(new Error(`no response headers within ${ms / 1000}s`)),
    ms,
  );
  try {
    return await send(AbortSignal.any([signal, timer.signal]));
  } finally {
    cancel();
  }
}

async function discardBody(response: UpstreamResponse): Promise<void> {
  if (!response.hasBody) return;
  const reader = response.reader();
  while (await reader.read() !== null) {
    // Only the status matters; the page itself is dropped.
  }
}

/** The model's `proxy` URL with `/` as the path after its own. */
function rootUrl(proxy: string): string {
  return `${proxy.replace(/\/+$/, "")}/`;
}
