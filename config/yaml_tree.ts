import {
  type Document,
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  type Node as YamlNode,
  parseDocument,
  type Scalar,
} from "yaml";
import type { Issues } from "./issues.ts";
import { childPath, indexPath } from "./paths.ts";

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

/** Documents whose aliases expand to more nodes than this are refused. */
const MAX_EXPANDED_NODES = 200_000;

const INT_SOURCE_REGEXP = /^[-+]?[0-9]+$|^0o[0-7]+$|^0x[0-9a-fA-F]+$/;
/** A key as written: quoted, or plain up to its colon. */
const KEY_TEXT_REGEXP = /^(?:"(?:[^"\\]|\\.)*"|'[^']*'|[^:\n]*)/;
const FLOAT_TAG = "tag:yaml.org,2002:float";
const INT_TAG = "tag:yaml.org,2002:int";

/** The entry for `key`, or undefined when the mapping has none. */
export function entryOf(map: YMap, key: string): YEntry | undefined {
  return map.entries.find((entry) => entry.key === key);
}

/** True for a scalar holding YAML null (`~`, `null` or nothing). */
export function isNull(node: YNode | undefined): boolean {
  return node !== undefined && node.kind === "scalar" && node.value === null;
}

/**
 * Parses one YAML document (merge keys on, duplicate keys refused) into a
 * tree of `YNode`s. Returns null after reporting to `issues` when the text
 * is not valid YAML or its top level is not a mapping; an empty document is
 * an empty mapping.
 */
export function parseYamlTree(text: string, issues: Issues): YMap | null {
  const document = parseDocument(text, {
    merge: true,
    uniqueKeys: true,
    prettyErrors: false,
  });
  if (document.errors.length > 0) {
    // One syntax error tends to cause a cascade: keep the first, plus every
    // duplicate key (each of those stands on its own).
    const firstSyntax = document.errors.find((e) => e.code !== "DUPLICATE_KEY");
    const shown = document.errors.filter((e) =>
      e === firstSyntax || e.code === "DUPLICATE_KEY"
    );
    for (const error of shown) {
      const offset = error.pos[0];
      issues.error(
        offset,
        pathAtOffset(document, offset),
        describeYamlError(error.code, error.message, text, error.pos),
      );
    }
    return null;
  }

  const contents = document.contents;
  if (contents === null || (isScalar(contents) && contents.value === null)) {
    return { kind: "map", entries: [], span: { start: 0, end: 0 } };
  }
  if (!isMap(contents)) {
    issues.error(
      contents.range?.[0] ?? 0,
      "",
      "cannot load config: the top level must be a mapping of keys to values",
    );
    return null;
  }

  const builder = new TreeBuilder(document, text, issues);
  const root = builder.build(contents, "");
  if (builder.failed || root.kind !== "map") return null;
  return root;
}

/** The dotted key path of the deepest node of `document` covering `offset`. */
export function pathAtOffset(document: Document, offset: number): string {
  let path = "";
  let node: unknown = document.contents;
  for (;;) {
    if (isMap(node)) {
      const pair = node.items.find((item) =>
        covers(item.key, offset) || covers(item.value, offset)
      );
      if (!pair) return path;
      path = childPath(path, keyText(pair.key));
      if (covers(pair.key, offset)) return path;
      node = pair.value;
    } else if (isSeq(node)) {
      const index = node.items.findIndex((item) => covers(item, offset));
      if (index < 0) return path;
      path = indexPath(path, index);
      node = node.items[index];
    } else {
      return path;
    }
  }
}

function covers(node: unknown, offset: number): boolean {
  if (node === null || typeof node !== "object" || !("range" in node)) {
    return false;
  }
  const range = (node as YamlNode).range;
  return range !== undefined && range !== null && range[0] <= offset &&
    offset < Math.max(range[1], range[0] + 1);
}

function keyText(key: unknown): string {
  if (isScalar(key)) {
    if (typeof key.value === "string") return key.value;
    if (key.value === null) return "";
    if (typeof key.value === "symbol") return "<<";
    return key.source ?? String(key.value);
  }
  return "";
}

function describeYamlError(
  code: string,
  message: string,
  text: string,
  pos: [number, number],
): string {
  if (code === "DUPLICATE_KEY") {
    const written = KEY_TEXT_REGEXP.exec(text.slice(pos[0]))?.[0] ?? "";
    const key = written.trim().replace(/^(["'])(.*)\1$/, "$2");
    return `duplicate key ${JSON.stringify(key)} in the same mapping`;
  }
  if (code === "MULTIPLE_DOCS") {
    return "cannot load config: the file holds more than one YAML document";
  }
  const detail = message.split("\n")[0] ?? message;
  return `cannot parse YAML: ${detail.charAt(0).toLowerCase()}${
    detail.slice(1)
  }`;
}

/** Converts the `yaml` package's nodes, resolving aliases and merges. */
class TreeBuilder {
  readonly #document: Document;
  readonly #text: string;
  readonly #issues: Issues;
  readonly #done = new Map<YamlNode, YNode>();
  readonly #inProgress = new Set<YamlNode>();
  #expandedNodes = 0;
  failed = false;

  constructor(document: Document, text: string, issues: Issues) {
    this.#document = document;
    this.#text = text;
    this.#issues = issues;
  }

  build(node: YamlNode, path: string): YNode {
    const target = isAlias(node) ? node.resolve(this.#document) : node;
    if (target === undefined) {
      return this.#fail(node, path, "alias points at no anchor");
    }
    const done = this.#done.get(target);
    if (done !== undefined) {
      this.#countExpansion(done, node, path);
      return done;
    }
    if (this.#inProgress.has(target)) {
      return this.#fail(node, path, "alias refers to a node that contains it");
    }

    this.#inProgress.add(target);
    const built = this.#convert(target, path);
    this.#inProgress.delete(target);
    this.#done.set(target, built);
    this.#expandedNodes += 1;
    return built;
  }

  #convert(node: YamlNode, path: string): YNode {
    const span = spanOf(node);
    if (isScalar(node)) return scalarNode(node, span, this.#text);
    if (isSeq(node)) {
      const items = node.items.map((item, index) =>
        this.#buildChild(item, indexPath(path, index), span)
      );
      return { kind: "seq", items, span };
    }
    if (isMap(node)) return this.#convertMap(node.items, span, path);
    return this.#fail(node, path, "unsupported YAML node");
  }

  #buildChild(item: unknown, path: string, parent: Span): YNode {
    if (item === null || item === undefined) {
      return nullNode({ start: parent.end, end: parent.end });
    }
    if (isPair(item)) {
      return this.#fail(
        null,
        path,
        "unexpected key inside a list item",
        parent,
      );
    }
    return this.build(item as YamlNode, path);
  }

  #convertMap(pairs: readonly unknown[], span: Span, path: string): YMap {
    const explicitKeys = new Set<string>();
    for (const pair of pairs) {
      if (isPair(pair) && !isMergeKey(pair.key)) {
        explicitKeys.add(keyText(pair.key));
      }
    }

    const entries: YEntry[] = [];
    const seen = new Set<string>();
    for (const pair of pairs) {
      if (!isPair(pair)) continue;
      const keyNode = pair.key as YamlNode | null;
      const keySpan = keyNode ? spanOf(keyNode) : span;
      if (isMergeKey(pair.key)) {
        const sources = this.#mergeSources(pair.value, keySpan, path);
        for (const source of sources) {
          for (const entry of source.entries) {
            if (explicitKeys.has(entry.key) || seen.has(entry.key)) continue;
            seen.add(entry.key);
            entries.push({ ...entry, definesAnchor: false });
          }
        }
        continue;
      }
      if (keyNode !== null && !isScalar(keyNode)) {
        this.#fail(
          keyNode,
          path,
          "mapping keys must be plain values, not lists or mappings",
        );
        continue;
      }
      const key = keyText(keyNode);
      const entryPath = childPath(path, key);
      const valueNode = pair.value as YamlNode | null;
      const value = valueNode === null
        ? nullNode({ start: keySpan.end, end: keySpan.end })
        : this.build(valueNode, entryPath);
      seen.add(key);
      entries.push({
        key,
        keySpan,
        value,
        definesAnchor: valueNode !== null && declaresAnchor(valueNode),
      });
    }
    return { kind: "map", entries, span };
  }

  #mergeSources(value: unknown, keySpan: Span, path: string): YMap[] {
    const candidates = isSeq(value) ? value.items : [value];
    const sources: YMap[] = [];
    for (const candidate of candidates) {
      const built =
        candidate === null || candidate === undefined || isPair(candidate)
          ? undefined
          : this.build(candidate as YamlNode, path);
      if (built?.kind === "map") {
        sources.push(built);
      } else {
        this.#fail(
          null,
          path,
          'a "<<" merge key needs a mapping or a list of mappings',
          keySpan,
        );
      }
    }
    return sources;
  }

  #countExpansion(done: YNode, site: YamlNode, path: string): void {
    this.#expandedNodes += countNodes(done);
    if (this.#expandedNodes > MAX_EXPANDED_NODES && !this.failed) {
      this.#fail(
        site,
        path,
        `aliases expand to more than ${MAX_EXPANDED_NODES} nodes`,
      );
    }
  }

  #fail(
    node: YamlNode | null,
    path: string,
    message: string,
    span?: Span,
  ): YScalar {
    const at = span ?? (node ? spanOf(node) : { start: 0, end: 0 });
    this.#issues.error(at.start, path, `cannot load YAML: ${message}`);
    this.failed = true;
    return nullNode(at);
  }
}

const nodeCounts = new WeakMap<YNode, number>();

function countNodes(node: YNode): number {
  const known = nodeCounts.get(node);
  if (known !== undefined) return known;
  let count = 1;
  if (node.kind === "seq") {
    for (const item of node.items) count += countNodes(item);
  } else if (node.kind === "map") {
    for (const entry of node.entries) count += countNodes(entry.value);
  }
  nodeCounts.set(node, count);
  return count;
}

function isMergeKey(key: unknown): boolean {
  return isScalar(key) &&
    (typeof key.value === "symbol" ||
      (key.value === "<<" && key.type === "PLAIN"));
}

function declaresAnchor(node: unknown): boolean {
  if (node === null || typeof node !== "object") return false;
  if (isAlias(node)) return false;
  if (
    "anchor" in node && typeof node.anchor === "string" && node.anchor !== ""
  ) {
    return true;
  }
  if (isMap(node)) {
    return node.items.some((pair) =>
      declaresAnchor(pair.key) || declaresAnchor(pair.value)
    );
  }
  if (isSeq(node)) return node.items.some(declaresAnchor);
  return false;
}

function spanOf(node: YamlNode): Span {
  const range = node.range;
  return range ? { start: range[0], end: range[1] } : { start: 0, end: 0 };
}

function nullNode(span: Span): YScalar {
  return {
    kind: "scalar",
    value: null,
    float: false,
    text: "",
    plain: true,
    span,
  };
}

function scalarNode(node: Scalar, span: Span, source: string): YScalar {
  const scalar = scalarValue(node, span);
  if (typeof scalar.value !== "string" || scalar.value.includes("\n")) {
    return scalar;
  }
  const quote = node.type === "QUOTE_SINGLE" || node.type === "QUOTE_DOUBLE"
    ? 1
    : node.type === "PLAIN"
    ? 0
    : -1;
  const start = span.start + quote;
  const verbatim = quote >= 0 &&
    source.slice(start, start + scalar.value.length) === scalar.value;
  return verbatim ? { ...scalar, verbatimAt: start } : scalar;
}

function scalarValue(node: Scalar, span: Span): YScalar {
  const source = typeof node.source === "string" ? node.source : undefined;
  const plain = node.type === "PLAIN";
  let value: unknown = node.value;
  let float = false;

  if (node.tag === FLOAT_TAG || node.tag === INT_TAG) {
    const parsed = Number(typeof value === "string" ? value : source);
    if (!Number.isNaN(parsed)) value = parsed;
    float = node.tag === FLOAT_TAG;
  } else if (typeof value === "number") {
    float = !INT_SOURCE_REGEXP.test(source ?? String(value));
  }

  if (typeof value === "bigint") value = Number(value);
  if (
    value !== null && typeof value !== "string" && typeof value !== "number" &&
    typeof value !== "boolean"
  ) {
    value = source ?? String(value);
  }
  const scalar = value as ScalarValue;
  const text = typeof scalar === "string" ? scalar : source ?? String(scalar);
  return { kind: "scalar", value: scalar, float, text, plain, span };
}
