import type { Config, PeerConfig } from "../config/types.ts";

/** One name a peer model answers to. */
export interface PeerRoute {
  readonly peer: PeerConfig;
  /** The model ID as the peer knows it (sent upstream). */
  readonly model: string;
  /** `<peerID>/<modelID>`, how listings and API key scopes name it. */
  readonly fqn: string;
}

const tables = new WeakMap<Config, ReadonlyMap<string, PeerRoute>>();

/**
 * Every name that reaches a peer model: each fully qualified
 * `<peerID>/<modelID>`, plus the bare model ID when exactly one peer offers
 * it and no local model, alias or other FQN already has that name.
 *
 * Computed once per config object (configs are immutable).
 */
export function peerRoutes(config: Config): ReadonlyMap<string, PeerRoute> {
  let table = tables.get(config);
  if (!table) {
    table = buildTable(config);
    tables.set(config, table);
  }
  return table;
}

function buildTable(config: Config): Map<string, PeerRoute> {
  const table = new Map<string, PeerRoute>();
  const offers = new Map<string, PeerRoute[]>();
  const peerIds = Object.keys(config.peers).sort();

  for (const peerId of peerIds) {
    const peer = config.peers[peerId]!;
    for (const model of peer.models) {
      const route = { peer, model, fqn: `${peerId}/${model}` };
      if (!table.has(route.fqn)) table.set(route.fqn, route);
      offers.set(model, [...(offers.get(model) ?? []), route]);
    }
  }

  for (const [model, routes] of offers) {
    const local = Object.hasOwn(config.models, model) ||
      Object.hasOwn(config.aliases, model);
    if (routes.length === 1 && !local && !table.has(model)) {
      table.set(model, routes[0]!);
    }
  }
  return table;
}
