import { closestKey } from "./did_you_mean.ts";
import type { Issues } from "./issues.ts";
import { childPath, indexPath } from "./paths.ts";
import {
  type NumberRule,
  readBool,
  readNumber,
  readString,
  reportType,
  toPlain,
} from "./values.ts";
import { isNull, type YEntry, type YMap, type YNode } from "./yaml_tree.ts";

/** One string of a list with where it came from. */
export interface ListItem<T> {
  readonly value: T;
  readonly node: YNode;
  readonly path: string;
}

const EMPTY_MAP: YMap = {
  kind: "map",
  entries: [],
  span: { start: 0, end: 0 },
};

/**
 * Reads the keys of one YAML mapping into typed values. Every getter marks
 * its key as known; `finish()` then reports the keys nobody asked for.
 * Wrong values are reported to `issues` and replaced by the fallback, so the
 * caller carries on and the load reports every problem in one pass.
 *
 * A key holding YAML null counts as absent.
 */
export class MapFields {
  readonly path: string;
  /** Offset used for problems of the mapping as a whole (a missing key). */
  readonly at: number;
  /** False when the mapping was absent, null or not a mapping. */
  readonly present: boolean;
  readonly #map: YMap;
  readonly #issues: Issues;
  readonly #known = new Set<string>();

  constructor(
    issues: Issues,
    node: YNode | undefined,
    path: string,
    at: number,
  ) {
    this.#issues = issues;
    this.path = path;
    this.at = at;
    if (node === undefined || isNull(node)) {
      this.#map = EMPTY_MAP;
      this.present = false;
    } else if (node.kind !== "map") {
      reportType(issues, node, path, "a mapping");
      this.#map = EMPTY_MAP;
      this.present = false;
    } else {
      this.#map = node;
      this.present = true;
    }
  }

  get issues(): Issues {
    return this.#issues;
  }

  /** Marks keys handled elsewhere as known. */
  known(...keys: string[]): void {
    for (const key of keys) this.#known.add(key);
  }

  /** The entry for `key` even when its value is null. */
  entry(key: string): YEntry | undefined {
    this.#known.add(key);
    return this.#map.entries.find((entry) => entry.key === key);
  }

  /** The value node of `key`, or undefined when absent or null. */
  node(key: string): YNode | undefined {
    const value = this.entry(key)?.value;
    return value === undefined || isNull(value) ? undefined : value;
  }

  has(key: string): boolean {
    return this.node(key) !== undefined;
  }

  /** Path of `key` inside this mapping. */
  pathOf(key: string): string {
    return childPath(this.path, key);
  }

  string(key: string, fallback: string): string {
    return this.optionalString(key) ?? fallback;
  }

  optionalString(key: string): string | undefined {
    const node = this.node(key);
    return node && readString(this.#issues, node, this.pathOf(key));
  }

  bool(key: string, fallback: boolean): boolean {
    return this.optionalBool(key) ?? fallback;
  }

  optionalBool(key: string): boolean | undefined {
    const node = this.node(key);
    return node && readBool(this.#issues, node, this.pathOf(key));
  }

  number(key: string, fallback: number, rule: NumberRule): number {
    return this.optionalNumber(key, rule) ?? fallback;
  }

  optionalNumber(key: string, rule: NumberRule): number | undefined {
    const node = this.node(key);
    return node && readNumber(this.#issues, node, this.pathOf(key), rule);
  }

  /**
   * A list of strings; undefined when absent. Items that are not strings are
   * reported and left out.
   */
  stringList(key: string): ListItem<string>[] | undefined {
    const node = this.node(key);
    if (node === undefined) return undefined;
    const path = this.pathOf(key);
    if (node.kind !== "seq") {
      reportType(this.#issues, node, path, "a list of strings");
      return [];
    }
    const items: ListItem<string>[] = [];
    node.items.forEach((item, index) => {
      const itemPath = indexPath(path, index);
      const value = readString(this.#issues, item, itemPath);
      if (value !== undefined) {
        items.push({ value, node: item, path: itemPath });
      }
    });
    return items;
  }

  /**
   * The mapping under `key` as plain data (metadata, parameters); {} when
   * absent or not a mapping (reported).
   */
  plainMapping(key: string): Record<string, unknown> {
    const node = this.node(key);
    if (node === undefined) return {};
    if (node.kind !== "map") {
      reportType(this.#issues, node, this.pathOf(key), "a mapping");
      return {};
    }
    return toPlain(node) as Record<string, unknown>;
  }

  /** The mapping under `key` as its own reader. */
  child(key: string): MapFields {
    const entry = this.entry(key);
    const at = entry?.keySpan.start ?? this.at;
    return new MapFields(this.#issues, entry?.value, this.pathOf(key), at);
  }

  /**
   * The entries of a mapping keyed by names the user picks (model IDs,
   * group names...), in file order; [] when absent or not a mapping.
   */
  dictionary(key: string): YEntry[] {
    const node = this.node(key);
    if (node === undefined) return [];
    if (node.kind !== "map") {
      reportType(this.#issues, node, this.pathOf(key), "a mapping");
      return [];
    }
    return [...node.entries];
  }

  /** Accepts a key llama-swap ignores, with a warning when it is used. */
  deprecated(key: string, message: string): void {
    const entry = this.entry(key);
    if (entry !== undefined) {
      this.#issues.warn(entry.keySpan.start, this.pathOf(key), message);
    }
  }

  /**
   * Reports every key not read or marked known, with a suggestion when a
   * known key is close. `accept` may excuse a key (anchor libraries).
   */
  finish(accept: (entry: YEntry) => boolean = () => false): void {
    for (const entry of this.#map.entries) {
      if (this.#known.has(entry.key) || accept(entry)) continue;
      const suggestion = closestKey(entry.key, this.#known);
      const hint = suggestion === null
        ? ""
        : ` (did you mean ${JSON.stringify(suggestion)}?)`;
      this.#issues.error(
        entry.keySpan.start,
        this.pathOf(entry.key),
        `unknown key ${JSON.stringify(entry.key)}${hint}`,
      );
    }
  }
}
