import {
  type Document,
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  type Node as YamlNode,
  type Scalar,
} from "yaml";
import type { Issues } from "./issues.ts";
import { childPath, indexPath } from "./paths.ts";
import type {
  ScalarValue,
  Span,
  YEntry,
  YMap,
  YNode,
  YScalar,
} from "./yaml_tree.ts";

/** Documents whose aliases expand to more nodes than this are refused. */
const MAX_EXPANDED_NODES = 200_000;

const INT_SOURCE_REGEXP = /^[-+]?[0-9]+$|^0o[0-7]+$|^0x[0-9a-fA-F]+$/;
const FLOAT_TAG = "tag:yaml.org,2002:float";
const INT_TAG = "tag:yaml.org,2002:int";

/** Converts the `yaml` package's nodes, resolving aliases and merges. */
export class TreeBuilder {
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

  // An explicit `!!str` keeps the text; `!!int` and `!!float` read as Go's.
  const numeric = node.tag === undefined || node.tag === INT_TAG ||
    node.tag === FLOAT_TAG;
  const go = plain && numeric && source !== undefined &&
      typeof value !== "boolean"
    ? goPlainNumber(source)
    : null;
  let exactInteger: string | undefined;
  if (go === "text") value = source;
  else if (go) ({ value, float, exactInteger } = go);

  if (typeof value === "bigint") value = Number(value);
  if (
    value !== null && typeof value !== "string" && typeof value !== "number" &&
    typeof value !== "boolean"
  ) {
    value = source ?? String(value);
  }
  const scalar = value as ScalarValue;
  const text = typeof scalar === "string" ? scalar : source ?? String(scalar);
  return {
    kind: "scalar",
    value: scalar,
    float,
    text,
    plain,
    span,
    ...(exactInteger === undefined ? {} : { exactInteger }),
  };
}

/** Go's YAML library's float form, checked after `_` are dropped. */
const GO_FLOAT_REGEXP = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
/** What Go's `strconv.ParseInt(text, 0, 64)` reads: sign, then prefix. */
const GO_INT_REGEXP =
  /^([-+]?)(?:0[xX]([0-9a-fA-F]+)|0[oO]?([0-7]+)|0[bB]([01]+)|([1-9][0-9]*|0))$/;

/**
 * The number Go's YAML library (which llama-swap reads its config with)
 * makes of a plain scalar that starts with a digit or a sign: every `_` is
 * dropped first, then it is read as Go reads an integer literal (`017` is
 * octal 15, `0b101` binary, `-0x1A` hex, `8_192` is 8192) within 64 bits,
 * or else as a finite float (`1_000.5`, `08`, a decimal too long for 64
 * bits). "text" where Go gives up on a number the core schema would read
 * (`1e400`, a hex number past 64 bits); null for anything else (`1.2.3`,
 * `-.inf`), which stays as the YAML 1.2 core schema read it. An integer
 * past 2^53 also comes as exact decimal text.
 */
function goPlainNumber(
  source: string,
): { value: number; float: boolean; exactInteger?: string } | "text" | null {
  if (!/^[-+0-9]/.test(source)) return null;
  const text = source.replaceAll("_", "");
  const int = GO_INT_REGEXP.exec(text);
  if (int) {
    const [, sign, hex, octal, binary, decimal] = int;
    const magnitude = BigInt(
      hex !== undefined
        ? `0x${hex}`
        : octal !== undefined
        ? `0o${octal}`
        : binary !== undefined
        ? `0b${binary}`
        : decimal!,
    );
    // ParseInt's int64 range (down to -2^63), or ParseUint's for a number
    // without a sign.
    const inRange = sign === ""
      ? magnitude < 2n ** 64n
      : sign === "-"
      ? magnitude <= 2n ** 63n
      : magnitude < 2n ** 63n;
    if (inRange) {
      const exact = sign === "-" ? -magnitude : magnitude;
      const value = Number(exact);
      return Number.isSafeInteger(value)
        ? { value, float: false }
        : { value, float: false, exactInteger: exact.toString() };
    }
    if (decimal === undefined) return "text";
  }
  if (!GO_FLOAT_REGEXP.test(text)) return null;
  const value = Number(text);
  return Number.isFinite(value) ? { value, float: true } : "text";
}

/** The text of a mapping key; "<<" for a merge key, "" for null. */
export function keyText(key: unknown): string {
  if (isScalar(key)) {
    if (typeof key.value === "string") return key.value;
    if (key.value === null) return "";
    if (typeof key.value === "symbol") return "<<";
    return key.source ?? String(key.value);
  }
  return "";
}
