import type { MacroDeclaration } from "./types.ts";
import type { Issues } from "./issues.ts";
import { childPath } from "./paths.ts";
import { describeNode } from "./values.ts";
import type { YEntry, YNode } from "./yaml_tree.ts";

/** A macro value with the type it was written with. */
export type MacroValue =
  | { readonly type: "string"; readonly value: string }
  | {
    readonly type: "int";
    readonly value: number;
    /** Exact decimal text of an integer past 2^53 (see `YScalar`). */
    readonly exact?: string;
  }
  | { readonly type: "float"; readonly value: number }
  | { readonly type: "bool"; readonly value: boolean };

export interface Macro {
  readonly name: string;
  readonly value: MacroValue;
}

/** The macros of one `macros` block, in declaration order. */
export interface MacroBlock {
  readonly macros: readonly Macro[];
  /**
   * Names whose declaration was refused (reported already), so their uses
   * are not reported again. Reserved names are not in it: the loader still
   * fills those in.
   */
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
    if (!RESERVED_MACRO_NAMES.has(entry.key)) broken.add(entry.key);
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
    if (node.float) return { type: "float", value };
    return node.exactInteger === undefined
      ? { type: "int", value }
      : { type: "int", value, exact: node.exactInteger };
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
