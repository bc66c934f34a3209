import type { Config } from "../config/mod.ts";

/** A short human summary of a loaded config, for `--check-config`. */
export function formatSummary(config: Config, source: string): string {
  const lines = [`config "${source}" is valid`];
  const models = Object.values(config.models);
  lines.push(`models (${models.length}):`);
  for (const model of models) {
    const extras = [
      model.aliases.length ? `aliases: ${model.aliases.join(", ")}` : "",
      model.port !== null ? `port ${model.port}` : "",
      model.ttl > 0 ? `ttl ${model.ttl}s` : "",
      model.unlisted ? "unlisted" : "",
    ].filter(Boolean).join("; ");
    lines.push(`  ${model.id}${extras ? ` (${extras})` : ""}`);
  }

  const router = config.routing.router;
  if (router.use === "group") {
    lines.push(`routing: groups`);
    for (const [name, group] of Object.entries(router.groups)) {
      const flags = [
        group.swap ? "swap" : "no swap",
        group.exclusive ? "exclusive" : "not exclusive",
        group.persistent ? "persistent" : "",
      ].filter(Boolean).join(", ");
      lines.push(`  ${name} [${flags}]: ${group.members.join(", ") || "-"}`);
    }
  } else {
    lines.push(`routing: swap matrix`);
    for (const set of router.matrix.sets) {
      lines.push(`  ${set.name}: ${set.dsl}`);
    }
  }

  const peers = Object.values(config.peers);
  if (peers.length) {
    lines.push(`peers (${peers.length}):`);
    for (const peer of peers) {
      lines.push(`  ${peer.id} -> ${peer.proxy}: ${peer.models.join(", ")}`);
    }
  }
  if (config.preload.length) {
    lines.push(`preload: ${config.preload.join(", ")}`);
  }
  lines.push(
    config.apiKeys.length
      ? `api keys: ${config.apiKeys.length}`
      : "api keys: none (no authentication)",
  );
  return lines.join("\n");
}
