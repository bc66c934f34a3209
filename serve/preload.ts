import type { Logger } from "../log/mod.ts";
import type { Router } from "../router/mod.ts";

/**
 * Loads `models` one after another through the router, so the planner's
 * rules apply exactly as for requests (models that cannot run together
 * simply swap). Failures are logged and the next model is tried.
 */
export async function preloadModels(
  router: Router,
  models: readonly string[],
  logger: Logger,
  signal: AbortSignal,
): Promise<void> {
  const log = logger.child("preload");
  for (const model of models) {
    if (signal.aborted) return;
    try {
      const ticket = await router.request(model, { signal });
      const lease = await ticket.lease;
      lease.release();
      log.info("model preloaded", { model });
    } catch (error) {
      if (signal.aborted) return;
      log.warn("cannot preload model", {
        model,
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }
}
