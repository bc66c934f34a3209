import type { Logger } from "../log/mod.ts";
import type { RouterView } from "../router/mod.ts";

/**
 * Loads `models` one after another through the router, so the planner's
 * rules apply exactly as for requests (models that cannot run together
 * simply swap): each is requested like a client would, and its lease is
 * released at once, which also starts its TTL. Failures are logged and
 * the next model is tried; an aborted `signal` stops the walk.
 *
 * `reason` names why in the log: `preload` (hooks.on_startup.preload) or
 * `restart` (a model a reload replaced while it was running).
 */
export async function preloadModels(
  router: Pick<RouterView, "request">,
  models: readonly string[],
  logger: Logger,
  signal: AbortSignal,
  reason: "preload" | "restart" = "preload",
): Promise<void> {
  const log = logger.child("preload");
  for (const model of models) {
    if (signal.aborted) return;
    try {
      const ticket = await router.request(model, { signal });
      const lease = await ticket.lease;
      lease.release();
      log.info("model loaded", { model, reason });
    } catch (error) {
      if (signal.aborted) return;
      log.warn("cannot load model", {
        model,
        reason,
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }
}
