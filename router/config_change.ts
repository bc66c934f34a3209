import type { Config } from "../config/types.ts";
import type { Planner } from "../planners/mod.ts";
import type { ModelProcessHandle } from "../process/mod.ts";
import type { FifoSettings } from "./fifo_settings.ts";

/**
 * A new configuration for the scheduler, applied in one step by
 * `Scheduler.onConfigReplaced()`. The new process map travels separately:
 * the scheduler installs it with `Effects.replaceProcesses(generation)`.
 */
export interface ConfigChange {
  /** Counts reconfigurations of one router, from 1. */
  readonly generation: number;
  readonly settings: FifoSettings;
  readonly planner: Planner;
  /** Models configured before and after whose process object is new. */
  readonly replaced: readonly string[];
  /**
   * Models of `replaced` whose `proxy` address changed: requests that
   * wait for them were resolved against the old address, so they are
   * refused rather than forwarded there.
   */
  readonly moved: readonly string[];
  /** Models no longer configured. */
  readonly removed: readonly string[];
}

/** One configuration's models and the processes that serve them. */
export interface ProcessSet {
  readonly config: Config;
  readonly processes: ReadonlyMap<string, ModelProcessHandle>;
}

/** How the models of two process sets relate; each list sorted. */
export interface ProcessDiff {
  /** Same process object before and after. */
  readonly kept: readonly string[];
  /** Configured before and after, with a new process object. */
  readonly replaced: readonly string[];
  /** Models of `replaced` whose `proxy` address changed. */
  readonly moved: readonly string[];
  readonly removed: readonly string[];
  readonly added: readonly string[];
}

/**
 * Compares two process sets by process identity: whoever builds the next
 * set decides which processes to keep (serve/ does it by comparing the
 * settings a child depends on); the router only reacts to that choice.
 */
export function diffProcesses(
  before: ProcessSet,
  after: ProcessSet,
): ProcessDiff {
  const kept: string[] = [];
  const replaced: string[] = [];
  const moved: string[] = [];
  const removed: string[] = [];
  for (const [model, process] of before.processes) {
    const next = after.processes.get(model);
    if (next === undefined) {
      removed.push(model);
    } else if (next === process) {
      kept.push(model);
    } else {
      replaced.push(model);
      const from = before.config.models[model]?.proxy;
      const to = after.config.models[model]?.proxy;
      if (from !== to) moved.push(model);
    }
  }
  const added = [...after.processes.keys()].filter((model) =>
    !before.processes.has(model)
  );

  return {
    kept: kept.sort(),
    replaced: replaced.sort(),
    moved: moved.sort(),
    removed: removed.sort(),
    added: added.sort(),
  };
}
