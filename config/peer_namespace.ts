import type { AliasTable } from "./aliases.ts";
import type { Issues } from "./issues.ts";
import type { ModelDraft } from "./models.ts";
import type { PeerDraft } from "./peers.ts";

/**
 * Every peer model is reachable as `<peer>/<model>`, so that full name must
 * mean one thing: two peers may not produce the same one (peer `a` model
 * `b/c` and peer `a/b` model `c`), and no model ID or alias (explicit or
 * from `setParamsByID`) may equal one.
 */
export function checkPeerNamespace(
  issues: Issues,
  peers: readonly PeerDraft[],
  models: readonly ModelDraft[],
  aliases: AliasTable,
): void {
  const owners = new Map<string, string>();
  for (const peer of peers) {
    const seen = new Set<string>();
    for (const item of peer.models) {
      if (seen.has(item.value)) continue;
      seen.add(item.value);
      const fqn = `${peer.config.id}/${item.value}`;
      const owner = owners.get(fqn);
      if (owner === undefined) {
        owners.set(fqn, peer.config.id);
        continue;
      }
      issues.error(
        item.node.span.start,
        item.path,
        `full name ${JSON.stringify(fqn)} is ambiguous: peer ${
          JSON.stringify(owner)
        } also produces it`,
      );
    }
  }

  const clash = (name: string) => {
    const owner = owners.get(name);
    return owner === undefined
      ? null
      : `is the full name of a model of peer ${JSON.stringify(owner)}`;
  };
  for (const model of models) {
    const id = model.config.id;
    const problem = clash(id);
    if (problem !== null) {
      issues.error(
        model.entry.keySpan.start,
        model.path,
        `model ID ${JSON.stringify(id)} ${problem}`,
      );
    }
    for (const alias of model.aliases) {
      const aliasProblem = clash(alias.value);
      if (aliasProblem !== null) {
        issues.error(
          alias.node.span.start,
          alias.path,
          `alias ${JSON.stringify(alias.value)} ${aliasProblem}`,
        );
      }
    }
    const generated = new Set(aliases.byModel.get(id) ?? []);
    for (const key of model.byIdKeys) {
      const keyProblem = generated.has(key.key) ? clash(key.key) : null;
      if (keyProblem !== null) {
        issues.error(
          key.span.start,
          key.path,
          `alias ${JSON.stringify(key.key)} ${keyProblem}`,
        );
      }
    }
  }
}
