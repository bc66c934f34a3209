import type { MacroDeclaration } from "./types.ts";
import { formatGoFloat, formatGoInt } from "./go_format.ts";
import type { Issues } from "./issues.ts";
import { childPath } from "./paths.ts";
import { describeNode } from "./values.ts";
import type { YEntry, YMap, YNode, YScalar } from "./yaml_tree.ts";

/** A macro value with the type it was written with. */
export type MacroValue =
  | { readonly type: "string"; readonly value: string }
  | { readonly type: "int" | "float"; readonly value: number }
  | { readonly type: "bool"; readonly value: boolean };

export interface Macro {
  readonly name: string;
  readonly value: MacroValue;
}

/** The macros of one `macros` block, in declaration order. */
export interface MacroBlock {
  readonly macros: readonly Macro[];
  /** Names declared with an invalid value: uses of them are not reported again. */
  readonly broken: ReadonlySet<string>;
}

/** Names the loader fills in itself; a declaration of one is an error. */
export const RESERVED_MACRO_NAMES: ReadonlySet<string> = new Set([
  "PORT",
  "MODEL_ID",
  "PID",
]);

const MAX_NAME_LENGTH = 63;
const NAME_REGEXP = /^[a-zA-Z0-9_-]+$/;

/** A reference to a regular macro: `${name}`. */
export const MACRO_REFERENCE_REGEXP = /\$\{([a-zA-Z0-9_-]+)\}/g;

/**
 * Validates the declarations of a `macros` mapping at `path`: name length
 * and characters, a scalar value, no reference to itself, no reserved name.
 * Each bad declaration is reported once and left out of the result.
 */
export function readMacroBlock(
  issues: Issues,
  node: YNode | undefined,
  path: string,
): MacroBlock {
  if (node === undefined || (node.kind === "scalar" && node.value === null)) {
    return { macros: [], broken: new Set() };
  }
  if (node.kind !== "map") {
    issues.error(
      node.span.start,
      path,
      `must be a mapping of macro names to values, got ${describeNode(node)}`,
    );
    return { macros: [], broken: new Set() };
  }

  const macros: Macro[] = [];
  const broken = new Set<string>();
  for (const entry of node.entries) {
    const value = macroValue(entry.value);
    const problem = declarationProblem(entry, value);
    if (problem === null && value !== null) {
      macros.push({ name: entry.key, value });
      continue;
    }
    broken.add(entry.key);
    const at = problem?.onValue ? entry.value.span.start : entry.keySpan.start;
    issues.error(at, childPath(path, entry.key), problem?.message ?? "");
  }
  return { macros, broken };
}

function declarationProblem(
  entry: YEntry,
  value: MacroValue | null,
): { message: string; onValue: boolean } | null {
  const name = entry.key;
  if (name.length > MAX_NAME_LENGTH) {
    return {
      message: `macro name is longer than ${MAX_NAME_LENGTH} characters`,
      onValue: false,
    };
  }
  if (!NAME_REGEXP.test(name)) {
    return {
      message: `macro name ${
        JSON.stringify(name)
      } may only use letters, digits, "_" and "-"`,
      onValue: false,
    };
  }
  if (value === null) {
    return {
      message: `macro value must be a string, number or boolean, got ${
        describeNode(entry.value)
      }`,
      onValue: true,
    };
  }
  if (value.type === "string" && value.value.includes(`\${${name}}`)) {
    return {
      message: `macro ${JSON.stringify(name)} refers to itself`,
      onValue: true,
    };
  }
  if (RESERVED_MACRO_NAMES.has(name)) {
    return {
      message: `macro name ${
        JSON.stringify(name)
      } is reserved: the loader fills it in`,
      onValue: false,
    };
  }
  return null;
}

function macroValue(node: YNode): MacroValue | null {
  if (node.kind !== "scalar") return null;
  const value = node.value;
  if (typeof value === "string") return { type: "string", value };
  if (typeof value === "boolean") return { type: "bool", value };
  if (typeof value === "number") {
    return { type: node.float ? "float" : "int", value };
  }
  return null;
}

/** The declarations as the typed config keeps them (unexpanded). */
export function declarations(block: MacroBlock): MacroDeclaration[] {
  return block.macros.map((macro) => ({
    name: macro.name,
    value: macro.value.value,
  }));
}

/** A macro value as text inside a longer string, formatted like Go's `%v`. */
export function macroText(value: MacroValue): string {
  switch (value.type) {
    case "string":
      return value.value;
    case "int":
      return formatGoInt(value.value);
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
  };
}
