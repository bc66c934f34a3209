import { formatGoFloat, formatGoInt } from "./go_format.ts";
import type { Macro, MacroValue } from "./macro_declarations.ts";
import type { YMap, YNode, YScalar } from "./yaml_tree.ts";

/** A reference to a regular macro: `${name}`. */
export const MACRO_REFERENCE_REGEXP = /\$\{([a-zA-Z0-9_-]+)\}/g;

/** A macro value as text inside a longer string, formatted like Go's `%v`. */
export function macroText(value: MacroValue): string {
  switch (value.type) {
    case "string":
      return value.value;
    case "int":
      return value.exact ?? formatGoInt(value.value);
    case "float":
      return formatGoFloat(value.value);
    case "bool":
      return String(value.value);
  }
}

/**
 * The order macros are applied to a model's values: `MODEL_ID`, then the
 * global macros with a model macro of the same name taking the global one's
 * place, then the model-only macros; the whole list reversed, so a macro
 * sees the text inserted by macros declared after it but not before it.
 * Without a model ID, only the global macros are used.
 */
export function applicationOrder(
  globals: readonly Macro[],
  locals: readonly Macro[] = [],
  modelId?: string,
): Macro[] {
  const merged: Macro[] = [];
  if (modelId !== undefined) {
    merged.push({
      name: "MODEL_ID",
      value: { type: "string", value: modelId },
    });
  }
  const localByName = new Map(locals.map((macro) => [macro.name, macro]));
  for (const macro of globals) {
    merged.push(localByName.get(macro.name) ?? macro);
  }
  const globalNames = new Set(globals.map((macro) => macro.name));
  for (const macro of locals) {
    if (!globalNames.has(macro.name)) merged.push(macro);
  }
  return merged.reverse();
}

/**
 * Applies `steps` in order to every string value under `node` (mapping keys
 * are left alone). A string that is exactly `${name}` becomes the macro's
 * value with its type (an int stays an int); elsewhere the value is inserted
 * as text. Returns `node` itself when nothing changed.
 */
export function substituteNode(node: YNode, steps: readonly Macro[]): YNode {
  if (node.kind === "scalar") return substituteScalar(node, steps);
  if (node.kind === "seq") {
    const items = node.items.map((item) => substituteNode(item, steps));
    return items.every((item, i) => item === node.items[i])
      ? node
      : { ...node, items };
  }
  return substituteEntries(node, steps);
}

function substituteEntries(node: YMap, steps: readonly Macro[]): YMap {
  const entries = node.entries.map((entry) => {
    const value = substituteNode(entry.value, steps);
    return value === entry.value ? entry : { ...entry, value };
  });
  return entries.every((entry, i) => entry === node.entries[i])
    ? node
    : { ...node, entries };
}

/** Applies `steps` to a text where the result must stay text (a key). */
export function substituteText(text: string, steps: readonly Macro[]): string {
  let current = text;
  for (const macro of steps) {
    current = current.replaceAll(`\${${macro.name}}`, macroText(macro.value));
  }
  return current;
}

function substituteScalar(node: YScalar, steps: readonly Macro[]): YScalar {
  if (typeof node.value !== "string" || !node.value.includes("${")) return node;

  let current: MacroValue = { type: "string", value: node.value };
  for (const macro of steps) {
    if (current.type !== "string") break;
    const reference = `\${${macro.name}}`;
    if (current.value === reference) {
      current = macro.value;
    } else if (current.value.includes(reference)) {
      current = {
        type: "string",
        value: current.value.replaceAll(reference, macroText(macro.value)),
      };
    }
  }

  if (current.type === "string" && current.value === node.value) return node;
  return {
    kind: "scalar",
    value: current.value,
    float: current.type === "float",
    text: macroText(current),
    plain: false,
    span: node.span,
    ...(current.type === "int" && current.exact !== undefined
      ? { exactInteger: current.exact }
      : {}),
  };
}
