import type { Issues } from "./issues.ts";
import type { ModelDraft } from "./models.ts";

/** Every alias of every model, settled. */
export interface AliasTable {
  /** Alias -> real model ID. */
  readonly targets: ReadonlyMap<string, string>;
  /** Model ID -> its aliases: explicit ones, then `setParamsByID` ones. */
  readonly byModel: ReadonlyMap<string, readonly string[]>;
}

/**
 * Registers aliases across all models (drafts in byte-wise ID order):
 * first every explicit `aliases` entry, which must be unique across models;
 * then each `setParamsByID` key that is not the model's own ID, which
 * becomes an alias unless it is another model's ID or another model's
 * alias (both errors). An alias equal to a model ID is allowed, as in
 * llama-swap, but never matches (the model wins), so it gets a warning.
 */
export function registerAliases(
  drafts: readonly ModelDraft[],
  issues: Issues,
): AliasTable {
  const modelIds = new Set(drafts.map((draft) => draft.config.id));
  const targets = new Map<string, string>();
  const byModel = new Map<string, string[]>();

  for (const draft of drafts) {
    const id = draft.config.id;
    const own: string[] = [];
    byModel.set(id, own);
    for (const alias of draft.aliases) {
      const owner = targets.get(alias.value);
      if (owner !== undefined) {
        const detail = owner === id
          ? "is listed twice"
          : `is already an alias of model ${JSON.stringify(owner)}`;
        issues.error(
          alias.node.span.start,
          alias.path,
          `alias ${JSON.stringify(alias.value)} ${detail}`,
        );
        continue;
      }
      if (modelIds.has(alias.value)) {
        issues.warn(
          alias.node.span.start,
          alias.path,
          `alias ${
            JSON.stringify(alias.value)
          } is also a model ID, so requests for it reach that model`,
        );
      }
      targets.set(alias.value, id);
      own.push(alias.value);
    }
  }

  for (const draft of drafts) {
    const id = draft.config.id;
    const own = byModel.get(id) ?? [];
    for (const { key, span, path } of draft.byIdKeys) {
      if (key === id) continue;
      const owner = targets.get(key);
      if (owner === id) continue;
      const problem = modelIds.has(key)
        ? `key ${
          JSON.stringify(key)
        } is the ID of another model, so it cannot become an alias`
        : owner !== undefined
        ? `key ${JSON.stringify(key)} is already an alias of model ${
          JSON.stringify(owner)
        }`
        : null;
      if (problem !== null) {
        issues.error(span.start, path, problem);
        continue;
      }
      targets.set(key, id);
      own.push(key);
    }
  }
  return { targets, byModel };
}
