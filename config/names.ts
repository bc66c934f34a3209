import type { PeerConfig } from "./types.ts";

/** One model of one peer under its fully qualified name `<peer>/<model>`. */
export interface PeerModelName {
  readonly peer: string;
  readonly model: string;
  readonly fqn: string;
}

/** What a requested name means. */
export type Resolution =
  | { readonly kind: "model"; readonly id: string }
  | { readonly kind: "peer"; readonly fqn: string }
  | { readonly kind: "ambiguous"; readonly fqns: readonly string[] }
  | { readonly kind: "unknown" };

/**
 * Resolves names the way requests are resolved (without profiles and
 * selectors): a model ID, then an alias, then a peer model's full name,
 * then a bare peer model name listed by exactly one peer.
 */
export class NameIndex {
  readonly modelIds: ReadonlySet<string>;
  readonly aliases: ReadonlyMap<string, string>;
  /** Every full peer model name; the first peer wins a clash. */
  readonly fqns: ReadonlyMap<string, PeerModelName>;
  readonly #bare: ReadonlyMap<string, readonly string[]>;

  constructor(
    modelIds: ReadonlySet<string>,
    aliases: ReadonlyMap<string, string>,
    peers: readonly PeerConfig[],
  ) {
    this.modelIds = modelIds;
    this.aliases = aliases;
    const fqns = new Map<string, PeerModelName>();
    const bare = new Map<string, string[]>();
    for (const peer of peers) {
      for (const model of peer.models) {
        const fqn = `${peer.id}/${model}`;
        if (!fqns.has(fqn)) fqns.set(fqn, { peer: peer.id, model, fqn });
        bare.set(model, [...(bare.get(model) ?? []), fqn]);
      }
    }
    this.fqns = fqns;
    this.#bare = bare;
  }

  resolve(name: string): Resolution {
    if (this.modelIds.has(name)) return { kind: "model", id: name };
    const target = this.aliases.get(name);
    if (target !== undefined) return { kind: "model", id: target };
    if (this.fqns.has(name)) return { kind: "peer", fqn: name };
    const fqns = this.#bare.get(name) ?? [];
    if (fqns.length === 1) return { kind: "peer", fqn: fqns[0] ?? name };
    if (fqns.length > 1) return { kind: "ambiguous", fqns };
    return { kind: "unknown" };
  }

  /** The real model ID or full peer name `name` stands for, or null. */
  canonical(name: string): string | null {
    const resolved = this.resolve(name);
    if (resolved.kind === "model") return resolved.id;
    if (resolved.kind === "peer") return resolved.fqn;
    return null;
  }
}

/** Why `name` does not resolve: unknown, or a bare name several peers serve. */
export function unresolvedMessage(names: NameIndex, name: string): string {
  const resolved = names.resolve(name);
  const quoted = JSON.stringify(name);
  if (resolved.kind === "ambiguous") {
    const choices = resolved.fqns.map((fqn) => JSON.stringify(fqn)).join(
      " or ",
    );
    return `${quoted} is served by several peers; use ${choices}`;
  }
  return `unknown model ${quoted}`;
}
