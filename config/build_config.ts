import { readApiKeys } from "./api_keys.ts";
import { registerAliases } from "./aliases.ts";
import type { Expansion } from "./expand.ts";
import { MapFields } from "./fields.ts";
import { readGlobals } from "./globals.ts";
import type { Issues } from "./issues.ts";
import { declarations } from "./macro_declarations.ts";
import { readModel } from "./models.ts";
import { NameIndex } from "./names.ts";
import { checkPeerNamespace } from "./peer_namespace.ts";
import { readPeers } from "./peers.ts";
import { compareBytes } from "./ports.ts";
import { readPreload } from "./preload.ts";
import { readProfiles } from "./profiles.ts";
import { readRouting } from "./routing.ts";
import { readSelectors } from "./selectors.ts";
import type { Config, ModelConfig, PeerConfig } from "./types.ts";

/**
 * Decodes the macro-expanded document into the typed `Config` and runs every
 * cross-key check: aliases, peer names, routing, preload, API keys,
 * selectors, profiles, unknown keys. Problems go to `issues`; the result is
 * only meaningful when none were errors.
 */
export function buildConfig(expansion: Expansion, issues: Issues): Config {
  const root = new MapFields(issues, expansion.root, "", 0);
  root.known("macros", "startPort");
  const globals = readGlobals(root);

  const modelEntries = root.dictionary("models").sort((a, b) =>
    compareBytes(a.key, b.key)
  );
  const drafts = modelEntries.map((entry) =>
    readModel(issues, entry, {
      globals,
      port: expansion.ports.get(entry.key) ?? null,
      macros: declarations(
        expansion.modelMacros.get(entry.key) ??
          { macros: [], broken: new Set() },
      ),
    })
  );
  const aliases = registerAliases(drafts, issues);
  const models: Record<string, ModelConfig> = {};
  for (const draft of drafts) {
    models[draft.config.id] = {
      ...draft.config,
      aliases: aliases.byModel.get(draft.config.id) ?? [],
    };
  }

  const peerDrafts = readPeers(root);
  checkPeerNamespace(issues, peerDrafts, drafts, aliases);
  const peers: Record<string, PeerConfig> = {};
  for (const peer of peerDrafts) peers[peer.config.id] = peer.config;

  const modelIds = drafts.map((draft) => draft.config.id);
  const names = new NameIndex(
    new Set(modelIds),
    aliases.targets,
    Object.values(peers),
  );
  const routing = readRouting(root, modelIds, aliases.targets);
  const preload = readPreload(root, names.modelIds, aliases.targets);
  const apiKeys = readApiKeys(root, names);
  const selectors = readSelectors(root, names, routing);
  const profiles = readProfiles(root, names, new Set(Object.keys(selectors)));
  root.finish((entry) => entry.key.startsWith("x-") || entry.definesAnchor);

  return {
    ...globals,
    startPort: expansion.startPort,
    macros: declarations(expansion.globalMacros),
    apiKeys,
    models,
    aliases: Object.fromEntries(aliases.targets),
    routing: { router: routing.router, scheduler: routing.scheduler },
    preload,
    peers,
    selectors,
    profiles,
  };
}
