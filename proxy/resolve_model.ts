import type { Config, ModelConfig } from "../config/types.ts";
import { type PeerRoute, peerRoutes } from "./peers.ts";

/** Where a requested model name leads. */
export type ModelTarget =
  | {
    readonly kind: "local";
    /** The name the client sent (an ID or an alias). */
    readonly requested: string;
    /** The real model ID. */
    readonly id: string;
    readonly model: ModelConfig;
  }
  | {
    readonly kind: "peer";
    readonly requested: string;
    /** The peer model's FQN, used as its ID in scopes and observers. */
    readonly id: string;
    readonly route: PeerRoute;
  };

/**
 * Resolves a requested name: a local model ID, then a local alias (explicit
 * or from `setParamsByID`), then a peer name (FQN or unique bare ID). Local
 * names win over peers. Returns null when nobody serves the name.
 */
export function resolveModel(
  config: Config,
  requested: string,
): ModelTarget | null {
  const id = Object.hasOwn(config.models, requested)
    ? requested
    : Object.hasOwn(config.aliases, requested)
    ? config.aliases[requested]
    : undefined;
  const model = id === undefined ? undefined : config.models[id];
  if (id !== undefined && model) {
    return { kind: "local", requested, id, model };
  }

  const route = peerRoutes(config).get(requested);
  if (route) return { kind: "peer", requested, id: route.fqn, route };
  return null;
}
