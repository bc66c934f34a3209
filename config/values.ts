import type { Issues } from "./issues.ts";
import type { YNode } from "./yaml_tree.ts";

/** How a number must look; `expect` names it in errors ("a port number >= 1"). */
export interface NumberRule {
  readonly expect: string;
  /** Smallest allowed value, inclusive. */
  readonly min?: number;
  /** The value must be greater than this. */
  readonly above?: number;
  /** Whole numbers only (the default); a float such as `2.0` still passes. */
  readonly integer?: boolean;
}

const YAML11_TRUE = new Set(["y", "Y", "yes", "Yes", "YES", "on", "On", "ON"]);
const YAML11_FALSE = new Set(["n", "N", "no", "No", "NO", "off", "Off", "OFF"]);

/** Short description of a node for "got ..." in messages. */
export function describeNode(node: YNode): string {
  if (node.kind === "map") return "a mapping";
  if (node.kind === "seq") return "a list";
  if (node.value === null) return "nothing";
  if (typeof node.value === "string") return JSON.stringify(node.value);
  return node.text;
}

/** Reports `node` at `path` as not being `expect`. */
export function reportType(
  issues: Issues,
  node: YNode,
  path: string,
  expect: string,
): void {
  issues.error(
    node.span.start,
    path,
    `must be ${expect}, got ${describeNode(node)}`,
  );
}

/**
 * A string value. Numbers and booleans are accepted as their text, as Go's
 * YAML decoder does for string fields (`name: 123` is "123"). Undefined after
 * reporting when the node is a list or mapping.
 */
export function readString(
  issues: Issues,
  node: YNode,
  path: string,
  expect = "a string",
): string | undefined {
  if (node.kind !== "scalar" || node.value === null) {
    reportType(issues, node, path, expect);
    return undefined;
  }
  return typeof node.value === "string" ? node.value : node.text;
}

/**
 * A boolean. Unquoted YAML 1.1 words (`yes`, `off`...) count too, as they do
 * for llama-swap's bool fields.
 */
export function readBool(
  issues: Issues,
  node: YNode,
  path: string,
): boolean | undefined {
  if (node.kind === "scalar") {
    if (typeof node.value === "boolean") return node.value;
    if (node.plain && typeof node.value === "string") {
      if (YAML11_TRUE.has(node.value)) return true;
      if (YAML11_FALSE.has(node.value)) return false;
    }
  }
  reportType(issues, node, path, "true or false");
  return undefined;
}

/** A number obeying `rule`; undefined after reporting otherwise. */
export function readNumber(
  issues: Issues,
  node: YNode,
  path: string,
  rule: NumberRule,
): number | undefined {
  const value = node.kind === "scalar" ? node.value : undefined;
  const ok = typeof value === "number" && Number.isFinite(value) &&
    (rule.integer === false || Number.isSafeInteger(value)) &&
    (rule.min === undefined || value >= rule.min) &&
    (rule.above === undefined || value > rule.above);
  if (!ok) {
    reportType(issues, node, path, rule.expect);
    return undefined;
  }
  return value;
}

/** `JSON.rawJSON()`, which V8 has and TypeScript's library lacks. */
interface RawJsonSupport {
  rawJSON(text: string): unknown;
}

/**
 * The node as plain JSON-like data (metadata, setParams): mappings become
 * objects in order, lists arrays, scalars their values. An integer past
 * 2^53 is raw JSON of its exact digits, so it reaches upstreams and API
 * answers as written (as from Go's int64), not rounded.
 */
export function toPlain(node: YNode): unknown {
  if (node.kind === "scalar") {
    return node.exactInteger === undefined
      ? node.value
      : (JSON as JSON & RawJsonSupport).rawJSON(node.exactInteger);
  }
  if (node.kind === "seq") return node.items.map(toPlain);
  return Object.fromEntries(
    node.entries.map((entry) => [entry.key, toPlain(entry.value)]),
  );
}
