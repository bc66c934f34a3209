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
