import { MapFields } from "./fields.ts";
import { type NameIndex, unresolvedMessage } from "./names.ts";
import { childPath, indexPath } from "./paths.ts";
import type { ApiKey } from "./types.ts";
import { readString, reportType } from "./values.ts";
import type { YNode } from "./yaml_tree.ts";

const WHITESPACE_REGEXP = /\s/;

/**
 * Reads `apiKeys`. An entry is a key string, or `{key, models}` limiting the
 * key to some models (IDs, aliases or peer model names, stored as real
 * model IDs and full peer names). Keys must be non-empty, without spaces,
 * and unique.
 */
export function readApiKeys(root: MapFields, names: NameIndex): ApiKey[] {
  const node = root.node("apiKeys");
  if (node === undefined) return [];
  if (node.kind !== "seq") {
    reportType(root.issues, node, "apiKeys", "a list of keys");
    return [];
  }

  const keys: ApiKey[] = [];
  const seen = new Map<string, number>();
  node.items.forEach((item, index) => {
    const path = indexPath("apiKeys", index);
    const apiKey = item.kind === "map"
      ? readKeyObject(root, item, path, names)
      : readPlainKey(root, item, path);
    if (apiKey === null) return;

    const earlier = seen.get(apiKey.key);
    if (earlier !== undefined) {
      root.issues.error(
        item.span.start,
        path,
        `same key as apiKeys[${earlier}]`,
      );
      return;
    }
    seen.set(apiKey.key, index);
    keys.push(apiKey);
  });
  return keys;
}

function readPlainKey(
  root: MapFields,
  node: YNode,
  path: string,
): ApiKey | null {
  const key = readString(
    root.issues,
    node,
    path,
    "a key or a {key, models} mapping",
  );
  if (key === undefined || !checkKey(root, key, node, path)) return null;
  return { key, models: null };
}

function readKeyObject(
  root: MapFields,
  node: YNode,
  path: string,
  names: NameIndex,
): ApiKey | null {
  const entryFields = new MapFields(root.issues, node, path, node.span.start);
  const keyNode = entryFields.node("key");
  const key = entryFields.string("key", "");
  const items = entryFields.stringList("models");
  entryFields.finish();
  if (!checkKey(root, key, keyNode ?? node, childPath(path, "key"))) {
    return null;
  }

  if (items === undefined) return { key, models: null };
  if (items.length === 0) {
    root.issues.error(
      entryFields.node("models")?.span.start ?? node.span.start,
      childPath(path, "models"),
      "must list at least one model; leave models out to allow every model",
    );
  }
  const models: string[] = [];
  for (const item of items) {
    const canonical = names.canonical(item.value);
    if (canonical === null) {
      root.issues.error(
        item.node.span.start,
        item.path,
        unresolvedMessage(names, item.value),
      );
    } else if (!models.includes(canonical)) {
      models.push(canonical);
    }
  }
  return { key, models };
}

function checkKey(
  root: MapFields,
  key: string,
  node: YNode,
  path: string,
): boolean {
  if (key === "") {
    root.issues.error(node.span.start, path, "an API key cannot be empty");
    return false;
  }
  if (WHITESPACE_REGEXP.test(key)) {
    root.issues.error(
      node.span.start,
      path,
      "an API key cannot contain spaces",
    );
    return false;
  }
  return true;
}
