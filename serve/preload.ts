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
  for (const model of models) {
    if (options.signal.aborted) break;
    const success = await loadOne(router, model, options, log);
    if (success === null) break;
    results.push({ model, success });
  }
  return results;
}

/** True: loaded (and answered); false: failed; null: aborted. */
async function loadOne(
  router: Pick<RouterView, "request">,
  model: string,
  options: PreloadOptions,
  log: Logger,
): Promise<boolean | null> {
  const { reason, upstream } = options;
  const clock = options.clock ?? systemClock;
  const began = clock.now();
  let lease: Lease | null = null;
  const displaced = displacement(model, options);
  const signal = displaced?.signal ?? options.signal;
  try {
    const ticket = await router.request(model, { signal });
    lease = await ticket.lease;
    displaced?.stop();
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
    if (displaced?.by) {
      log.info("restart dropped", { model, evictedBy: displaced.by });
      return false;
    }
    const text = errorText(error);
    if (upstream) log.warn("model preload failed", { model, error: text });
    else log.warn("cannot load model", { model, reason, error: text });
    return false;
  } finally {
    displaced?.stop();
    lease?.release();
  }
}

/**
 * For a restart with the router's notices: a signal that also aborts once
 * a swap for another model evicts `model`, which then names that model.
 */
function displacement(model: string, options: PreloadOptions) {
  if (options.reason !== "restart" || !options.notices) return null;
  const controller = new AbortController();
  const outer = options.signal;
  const follow = () => controller.abort(outer.reason);
  outer.addEventListener("abort", follow, { once: true });
  const state = {
    signal: controller.signal,
    by: null as string | null,
    stop: () => {
      unsubscribe();
      outer.removeEventListener("abort", follow);
    },
  };
  const unsubscribe = options.notices((notice) => {
    if (
      notice.kind !== "swapStarted" || notice.model === model ||
      !notice.evict.includes(model)
    ) return;
    state.by = notice.model;
    controller.abort(new Error(`evicted by ${notice.model}`));
  });
  return state;
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
