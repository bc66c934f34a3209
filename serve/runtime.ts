import type { Config, ModelConfig } from "../config/mod.ts";
import type { Clock } from "../lib/mod.ts";
import type { Logger, LogHub } from "../log/mod.ts";
import { createPlanner, type Planner } from "../planners/mod.ts";
import { ModelProcess, type ProcessRegistry } from "../process/mod.ts";
import { type ReconfigureResult, Router } from "../router/mod.ts";
import { processFingerprint } from "./process_fingerprint.ts";

/** The live objects serving one configuration. */
export interface Runtime {
  readonly config: Config;
  readonly processes: ReadonlyMap<string, ModelProcess>;
  readonly planner: Planner;
  /** One router for the life of the server; reloads reconfigure it. */
  readonly router: Router;
}

export interface RuntimeDeps {
  readonly logs: LogHub;
  readonly logger: Logger;
  readonly registry: ProcessRegistry | null;
  readonly clock?: Clock;
  /** Told about every process built, e.g. to track children for a kill. */
  readonly onProcess?: (process: ModelProcess) => void;
  /**
   * How health probes reach the models: the server's upstream client, so
   * they go where traffic goes (never through a proxy to loopback).
   * Absent: the global `fetch`.
   */
  readonly probe?: typeof fetch;
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
  for (const id of Object.keys(config.models)) {
    processes.set(id, newProcess(id, config, deps));
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

/** A runtime that takes over from another, and the router's answer. */
export interface Reconfigured {
  readonly runtime: Runtime;
  /** Resolves once the router's loop applied the new configuration. */
  readonly applied: Promise<ReconfigureResult>;
}

/**
 * Moves `current` to `config`: builds the new planner (throws, changing
 * nothing, when the routing settings cannot be planned), keeps each model
 * whose process fingerprint is unchanged with its live `ModelProcess`
 * (taking the new `ttl` and `unloadTimeout`), builds new processes for the
 * others, and hands everything to the same router. Returns at once: a
 * request posted to the router from now on is handled under the new
 * configuration.
 */
export function reconfigureRuntime(
  current: Runtime,
  config: Config,
  deps: RuntimeDeps,
): Reconfigured {
  const planner = createPlanner(
    config.routing.router,
    new Set(Object.keys(config.models)),
  );
  const processes = new Map<string, ModelProcess>();
  const kept: Array<[ModelProcess, ModelConfig]> = [];
  for (const [id, model] of Object.entries(config.models)) {
    const old = current.processes.get(id);
    if (old && sameProcess(current.config.models[id], model)) {
      processes.set(id, old);
      kept.push([old, model]);
    } else {
      processes.set(id, newProcess(id, config, deps));
    }
  }

  const applied = current.router.reconfigure({ config, processes, planner });
  for (const [process, model] of kept) process.updateIdleSettings(model);
  return {
    runtime: { config, processes, planner, router: current.router },
    applied,
  };
}

function sameProcess(
  before: ModelConfig | undefined,
  after: ModelConfig,
): boolean {
  return before !== undefined &&
    processFingerprint(before) === processFingerprint(after);
}

function newProcess(
  id: string,
  config: Config,
  deps: RuntimeDeps,
): ModelProcess {
  const process = new ModelProcess({
    config: config.models[id]!,
    logger: deps.logger,
    logs: deps.logs.model(id),
    ...(deps.clock ? { clock: deps.clock } : {}),
    ...(deps.registry ? { registry: deps.registry } : {}),
    ...(deps.probe ? { fetch: deps.probe } : {}),
  });
  deps.onProcess?.(process);
  return process;
}
