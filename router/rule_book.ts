import {
  type FifoSettings,
  graceFor,
  type ModelRules,
} from "./fifo_settings.ts";

/**
 * The FIFO settings in force, plus the rules of models a new config
 * removed whose old process has not retired yet: those still need their
 * own stop grace when an unload or a shutdown reaches them.
 */
export class RuleBook {
  #settings: FifoSettings;
  #models: readonly string[];
  readonly #leftover = new Map<string, ModelRules>();

  constructor(settings: FifoSettings) {
    this.#settings = settings;
    this.#models = Object.keys(settings.models).sort();
  }

  get settings(): FifoSettings {
    return this.#settings;
  }

  /** Every configured model, sorted. */
  get models(): readonly string[] {
    return this.#models;
  }

  /** Takes `settings`; keeps the rules of `removed` until `forget()`. */
  replace(settings: FifoSettings, removed: readonly string[]): void {
    for (const model of removed) {
      const rules = this.#settings.models[model];
      if (rules) this.#leftover.set(model, rules);
    }
    this.#settings = settings;
    this.#models = Object.keys(settings.models).sort();
  }

  /** Drops the kept rules of a removed model once it retired. */
  forget(model: string): void {
    this.#leftover.delete(model);
  }

  /** Configured models and removed ones not yet retired, sorted. */
  loaded(): string[] {
    return [...new Set([...this.#models, ...this.#leftover.keys()])].sort();
  }

  /** `graceFor()` over the settings and the kept rules. */
  graceFor(
    models: readonly string[],
    timeoutMs: number | null,
    maxGraceMs: number | null = null,
  ): Record<string, number> {
    const rules = {
      ...Object.fromEntries(this.#leftover),
      ...this.#settings.models,
    };
    const settings = { ...this.#settings, models: rules };
    return graceFor(settings, models, timeoutMs, maxGraceMs);
  }
}
