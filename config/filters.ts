import type { MapFields } from "./fields.ts";
import type { Filters } from "./types.ts";
import { childPath } from "./paths.ts";
import { reportType, toPlain } from "./values.ts";
import type { Span } from "./yaml_tree.ts";

/** A `setParamsByID` key with its position, for alias checks. */
export interface ByIdKey {
  readonly key: string;
  readonly span: Span;
  readonly path: string;
}

export interface FiltersRead {
  readonly filters: Filters;
  readonly byIdKeys: readonly ByIdKey[];
}

/**
 * Reads a `filters` block of a model or of a peer. A model (`legacy`) also
 * takes the old `strip_params` spelling: always a known key whose type is
 * checked, but used only when `stripParams` is empty.
 */
export function readFilters(fields: MapFields, legacy: boolean): FiltersRead {
  let stripParams = fields.string("stripParams", "");
  const legacyStrip = legacy ? fields.string("strip_params", "") : "";
  if (stripParams === "") stripParams = legacyStrip;

  const setParams = withoutModel(fields.plainMapping("setParams"));
  const setParamsByID: Record<string, Readonly<Record<string, unknown>>> = {};
  const byIdKeys: ByIdKey[] = [];
  const byIdPath = fields.pathOf("setParamsByID");
  for (const entry of fields.dictionary("setParamsByID")) {
    const path = childPath(byIdPath, entry.key);
    byIdKeys.push({ key: entry.key, span: entry.keySpan, path });
    if (entry.value.kind !== "map") {
      reportType(fields.issues, entry.value, path, "a mapping of parameters");
      continue;
    }
    setParamsByID[entry.key] = withoutModel(toPlain(entry.value));
  }
  fields.finish();

  const filters: Filters = {
    stripParams,
    strip: sanitizeStripParams(stripParams),
    setParams,
    setParamsByID,
  };
  return { filters, byIdKeys };
}

/**
 * The keys `stripParams` removes: split on commas, trimmed, without empties,
 * duplicates or `model` (which routing needs), sorted.
 */
export function sanitizeStripParams(text: string): string[] {
  const keys = new Set(
    text.split(",").map((key) => key.trim()).filter((key) =>
      key !== "" && key !== "model"
    ),
  );
  return [...keys].sort();
}

function withoutModel(value: unknown): Record<string, unknown> {
  const params = { ...(value as Record<string, unknown>) };
  delete params.model;
  return params;
}
