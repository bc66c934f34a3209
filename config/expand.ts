import type { EnvLookup } from "./env_macros.ts";
import type { Issues } from "./issues.ts";
import { type MacroBlock, readMacroBlock } from "./macro_declarations.ts";
import { applicationOrder, substituteNode } from "./macro_substitution.ts";
import { ModelExpander } from "./model_expansion.ts";
import { compareBytes } from "./ports.ts";
import { reportLeftovers } from "./leftovers.ts";
import { TOP_LEVEL_KEYS } from "./top_level_keys.ts";
import { readNumber } from "./values.ts";
import { entryOf, isNull, type YEntry, type YMap } from "./yaml_tree.ts";

export const DEFAULT_START_PORT = 5800;

/** The document after macro expansion, with what expansion learned. */
export interface Expansion {
  /** Values expanded; the `macros` blocks are left as written. */
  readonly root: YMap;
  readonly globalMacros: MacroBlock;
  /** By model ID, for models written as mappings. */
  readonly modelMacros: ReadonlyMap<string, MacroBlock>;
  /** `${PORT}` numbers of the models whose `cmd` uses one. */
  readonly ports: ReadonlyMap<string, number>;
  readonly startPort: number;
}

export interface ExpandOptions {
  /** Tells a leftover `${env.NAME}` of a set variable from an unset one. */
  readonly env: EnvLookup;
}

/**
 * Expands macros over the whole document as llama-swap does: validates the
 * `macros` blocks, substitutes global macros into every known top-level
 * value, then, per model in byte-wise ID order, strips comment lines from
 * `cmd`/`cmdStop`, fills in the default `proxy`, applies the model's macro
 * scope to its values and `setParamsByID` keys, hands out a `${PORT}` when
 * `cmd` uses one, and finally reports every placeholder left over.
 */
export function expandMacros(
  root: YMap,
  issues: Issues,
  options: ExpandOptions,
): Expansion {
  const { env } = options;
  const globalMacros = readMacroBlock(
    issues,
    entryOf(root, "macros")?.value,
    "macros",
  );
  const globalSteps = applicationOrder(globalMacros.macros);

  const entries = root.entries.map((entry): YEntry =>
    entry.key === "models" || entry.key === "macros" ||
      !TOP_LEVEL_KEYS.has(entry.key)
      ? entry
      : { ...entry, value: substituteNode(entry.value, globalSteps) }
  );
  const startPort = readStartPort(entries, issues);

  const ports = new Map<string, number>();
  const modelMacros = new Map<string, MacroBlock>();
  const modelsIndex = entries.findIndex((entry) => entry.key === "models");
  const modelsEntry = entries[modelsIndex];
  if (modelsEntry !== undefined && modelsEntry.value.kind === "map") {
    const expander = new ModelExpander(issues, {
      globals: globalMacros,
      startPort,
      env,
    });
    const models = [...modelsEntry.value.entries].sort((a, b) =>
      compareBytes(a.key, b.key)
    );
    const expanded = new Map<string, YEntry>();
    for (const model of models) {
      expanded.set(model.key, expander.expand(model));
    }
    const value: YMap = {
      ...modelsEntry.value,
      entries: modelsEntry.value.entries.map((model) =>
        expanded.get(model.key) ?? model
      ),
    };
    entries[modelsIndex] = { ...modelsEntry, value };
    for (const [id, port] of expander.ports) ports.set(id, port);
    for (const [id, block] of expander.macros) modelMacros.set(id, block);
  }

  const expandedRoot: YMap = { ...root, entries };
  for (const entry of entries) {
    if (!TOP_LEVEL_KEYS.has(entry.key) || entry.key === "macros") continue;
    if (entry.key === "models") continue;
    reportLeftovers(issues, entry.value, entry.key, {
      scope: "global",
      broken: globalMacros.broken,
      env,
    });
  }
  return { root: expandedRoot, globalMacros, modelMacros, ports, startPort };
}

function readStartPort(entries: readonly YEntry[], issues: Issues): number {
  const node = entries.find((entry) => entry.key === "startPort")?.value;
  if (node === undefined || isNull(node)) return DEFAULT_START_PORT;
  return readNumber(issues, node, "startPort", {
    expect: "a port number >= 1",
    min: 1,
  }) ?? DEFAULT_START_PORT;
}
