/**
 * The loader's view of a YAML document, shared by every stage after parsing.
 */

/** Offsets of a node in the text the parser saw. */
export interface Span {
  readonly start: number;
  readonly end: number;
}

export type ScalarValue = string | number | boolean | null;

/** A scalar with the facts the loader needs beyond its JavaScript value. */
export interface YScalar {
  readonly kind: "scalar";
  readonly value: ScalarValue;
  /** A number written as a float (`1.0`, `1e3`): Go prints and decodes these differently. */
  readonly float: boolean;
  /** The text form: the source of a plain scalar, or the formatted value. */
  readonly text: string;
  /** Written unquoted in the file and untouched by macros (`yes` may be a bool). */
  readonly plain: boolean;
  /**
   * An integer past JavaScript's exact range (2^53) in decimal, exactly as
   * Go reads it into 64 bits; `value` is then only the nearest number.
   */
  readonly exactInteger?: string;
  readonly span: Span;
  /**
   * Where the string value starts in the text when the text holds it
   * verbatim (a one-line plain or quoted scalar without escapes), so an
   * offset inside the value maps to a column. Undefined otherwise.
   */
  readonly verbatimAt?: number;
}

export interface YEntry {
  readonly key: string;
  readonly keySpan: Span;
  readonly value: YNode;
  /** The value, or something inside it, declares a YAML anchor (`&name`). */
  readonly definesAnchor: boolean;
}

/** A mapping with anchors resolved and `<<` merge keys applied, in order. */
export interface YMap {
  readonly kind: "map";
  readonly entries: readonly YEntry[];
  readonly span: Span;
}

export interface YSeq {
  readonly kind: "seq";
  readonly items: readonly YNode[];
  readonly span: Span;
}

/**
 * The loader's view of a YAML document: plain data with positions, aliases
 * already replaced by what they point at. Nodes are never mutated; aliases
 * share their node objects.
 */
export type YNode = YScalar | YMap | YSeq;

/** The entry for `key`, or undefined when the mapping has none. */
export function entryOf(map: YMap, key: string): YEntry | undefined {
  return map.entries.find((entry) => entry.key === key);
}

/** True for a scalar holding YAML null (`~`, `null` or nothing). */
export function isNull(node: YNode | undefined): boolean {
  return node !== undefined && node.kind === "scalar" && node.value === null;
}

/**
 * `node` with every offset moved by `by`, for a file placed after others
 * on one line of offsets (`SourceLocator`). Shared nodes (aliases) stay
 * shared.
 */
export function shiftSpans<T extends YNode>(node: T, by: number): T {
  return by === 0 ? node : shiftNode(node, by, new Map()) as T;
}

function shiftNode(node: YNode, by: number, done: Map<YNode, YNode>): YNode {
  const known = done.get(node);
  if (known !== undefined) return known;

  const span = { start: node.span.start + by, end: node.span.end + by };
  let shifted: YNode;
  if (node.kind === "scalar") {
    shifted = node.verbatimAt === undefined
      ? { ...node, span }
      : { ...node, span, verbatimAt: node.verbatimAt + by };
  } else if (node.kind === "seq") {
    const items = node.items.map((item) => shiftNode(item, by, done));
    shifted = { kind: "seq", items, span };
  } else {
    const entries = node.entries.map((entry) => ({
      ...entry,
      keySpan: {
        start: entry.keySpan.start + by,
        end: entry.keySpan.end + by,
      },
      value: shiftNode(entry.value, by, done),
    }));
    shifted = { kind: "map", entries, span };
  }
  done.set(node, shifted);
  return shifted;
}
