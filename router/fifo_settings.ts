import type { Config } from "../config/types.ts";

/** What the FIFO scheduler needs to know about one model. */
export interface ModelRules {
  /** Admitted requests allowed at once (queued, waiting and serving). */
  readonly concurrencyLimit: number;
  /** Grace before SIGKILL when this model is evicted or unloaded. */
  readonly unloadTimeoutMs: number;
}

/** The FIFO scheduler's configuration, in milliseconds. */
export interface FifoSettings {
  /** Every model the router serves, by real model ID. */
  readonly models: Readonly<Record<string, ModelRules>>;
  /** Real model ID -> priority; higher is queued first, default 0. */
  readonly priority: Readonly<Record<string, number>>;
  /**
   * How long a queued request may wait before the models it needs evicted
   * stop taking new fast-path requests; 0 turns the bound off.
   */
  readonly maxWaitMs: number;
}

/** Reads the FIFO settings out of a loaded config. */
export function fifoSettings(config: Config): FifoSettings {
  const models: Record<string, ModelRules> = {};
  for (const [id, model] of Object.entries(config.models)) {
    models[id] = {
      concurrencyLimit: model.concurrencyLimit,
      unloadTimeoutMs: model.unloadTimeout * 1000,
    };
  }

  const scheduler = config.routing.scheduler;
  return {
    models,
    priority: scheduler.priority,
    maxWaitMs: scheduler.maxWait * 1000,
  };
}

/**
 * Stop grace for each of `models`: `timeoutMs` when it is positive, else
 * the model's own unload timeout, never more than `maxGraceMs` when that
 * is given.
 */
export function graceFor(
  settings: FifoSettings,
  models: readonly string[],
  timeoutMs: number | null,
  maxGraceMs: number | null = null,
): Record<string, number> {
  const grace: Record<string, number> = {};
  for (const model of models) {
    const wanted = timeoutMs !== null && timeoutMs > 0
      ? timeoutMs
      : settings.models[model]?.unloadTimeoutMs ?? 0;
    grace[model] = maxGraceMs !== null ? Math.min(wanted, maxGraceMs) : wanted;
  }
  return grace;
}
