import {
  type Document,
  isMap,
  isScalar,
  isSeq,
  type Node as YamlNode,
  parseDocument,
} from "yaml";
import type { Issues } from "./issues.ts";
import { childPath, indexPath } from "./paths.ts";
import { keyText, TreeBuilder } from "./tree_builder.ts";
import type { YMap } from "./yaml_tree.ts";

/** A key as written: quoted, or plain up to its colon. */
const KEY_TEXT_REGEXP = /^(?:"(?:[^"\\]|\\.)*"|'[^']*'|[^:\n]*)/;

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
      "top-level YAML must be a mapping",
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
