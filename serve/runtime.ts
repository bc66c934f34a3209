import type { Config } from "../config/mod.ts";
import type { Clock } from "../lib/mod.ts";
import type { Logger, LogHub } from "../log/mod.ts";
import { createPlanner, type Planner } from "../planners/mod.ts";
import { ModelProcess, type ProcessRegistry } from "../process/mod.ts";
import { Router } from "../router/mod.ts";

/** The live objects serving one configuration. */
export interface Runtime {
  readonly config: Config;
  readonly processes: ReadonlyMap<string, ModelProcess>;
  readonly planner: Planner;
  readonly router: Router;
}

export interface RuntimeDeps {
  readonly logs: LogHub;
  readonly logger: Logger;
  readonly registry: ProcessRegistry | null;
  readonly clock?: Clock;
  /** Existing processes to keep instead of creating new ones, by model. */
  readonly reuse?: ReadonlyMap<string, ModelProcess>;
}

/**
 * Builds the processes, the planner and the router for `config`; the
 * router is started. Throws when the routing settings cannot be planned.
 */
export function buildRuntime(config: Config, deps: RuntimeDeps): Runtime {
  const planner = createPlanner(
    config.routing.router,
    new Set(Object.keys(config.models)),
  );
  const processes = new Map<string, ModelProcess>();
  for (const [id, model] of Object.entries(config.models)) {
    const kept = deps.reuse?.get(id);
    processes.set(
      id,
      kept ?? new ModelProcess({
        config: model,
        logger: deps.logger,
        logs: deps.logs.model(id),
        ...(deps.clock ? { clock: deps.clock } : {}),
        ...(deps.registry ? { registry: deps.registry } : {}),
      }),
    );
  }
  const router = new Router({
    config,
    processes,
    planner,
    logger: deps.logger,
    ...(deps.clock ? { clock: deps.clock } : {}),
  });
  router.start();
  return { config, processes, planner, router };
}
