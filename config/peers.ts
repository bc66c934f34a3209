import { type ListItem, MapFields } from "./fields.ts";
import { readFilters } from "./filters.ts";
import { childPath } from "./paths.ts";
import { PEER_TIMEOUTS, readTimeouts } from "./timeouts.ts";
import type { PeerConfig } from "./types.ts";
import type { YEntry } from "./yaml_tree.ts";

/** A peer read from the file, with positions for namespace checks. */
export interface PeerDraft {
  readonly config: PeerConfig;
  readonly entry: YEntry;
  /** Its `models` entries as written (duplicates included). */
  readonly models: readonly ListItem<string>[];
}

/**
 * Reads `peers`: each needs an http(s) `proxy` and a non-empty `models`
 * list (duplicates dropped); `apiKey`, `filters` and `timeouts` (peer
 * defaults: 60 s for response headers) are optional.
 */
export function readPeers(root: MapFields): PeerDraft[] {
  const peersPath = root.pathOf("peers");
  return root.dictionary("peers").map((entry) => {
    const path = childPath(peersPath, entry.key);
    const fields = new MapFields(
      root.issues,
      entry.value,
      path,
      entry.keySpan.start,
    );
    const proxy = readPeerProxy(fields);
    const models = fields.stringList("models") ?? [];
    if (models.length === 0) {
      const node = fields.node("models");
      root.issues.error(
        node?.span.start ?? entry.keySpan.start,
        fields.pathOf("models"),
        "a peer must list at least one model",
      );
    }
    const config: PeerConfig = {
      id: entry.key,
      proxy,
      apiKey: fields.string("apiKey", ""),
      models: [...new Set(models.map((item) => item.value))],
      filters: readFilters(fields.child("filters"), false).filters,
      timeouts: readTimeouts(fields.child("timeouts"), PEER_TIMEOUTS),
    };
    fields.finish();
    return { config, entry, models };
  });
}

function readPeerProxy(fields: MapFields): string {
  const proxy = fields.string("proxy", "");
  const at = fields.node("proxy")?.span.start ?? fields.at;
  if (proxy === "") {
    fields.issues.error(
      at,
      fields.pathOf("proxy"),
      "a peer needs the URL of its server",
    );
  } else if (
    !/^https?:$/.test(URL.canParse(proxy) ? new URL(proxy).protocol : "")
  ) {
    fields.issues.error(
      at,
      fields.pathOf("proxy"),
      `must be an http:// or https:// URL, got ${JSON.stringify(proxy)}`,
    );
  }
  return proxy;
}
