import type { ProfileConfig } from "../config/types.ts";

/**
 * What the active profile makes of a requested name: the pin's target
 * (kept as configured: a model, alias, peer name or selector), "" when the
 * pin disables the name, or null when the name is not pinned (or no
 * profile is active). Pins do not chain: the target is not looked up again.
 */
export function pinnedName(
  profile: ProfileConfig | null,
  requested: string,
): string | null {
  if (!profile || !Object.hasOwn(profile.pins, requested)) return null;
  return profile.pins[requested]!;
}

/**
 * Applies the active profile to the raw path after `/upstream/`: the
 * longest pin that equals the leading segments (each percent-decoded,
 * joined with `/`) is replaced by its target, the rest kept byte for byte.
 * Returns the path unchanged when no pin matches, and null when the
 * matching pin disables its name.
 */
export function pinUpstreamPath(
  profile: ProfileConfig | null,
  rawAfterPrefix: string,
): string | null {
  if (!profile) return rawAfterPrefix;
  const segments = rawAfterPrefix.split("/");
  let name = "";
  let match: { count: number; target: string } | null = null;

  for (let i = 0; i < segments.length; i++) {
    const decoded = safeDecode(segments[i]!);
    if (decoded === null) break;
    name = i === 0 ? decoded : `${name}/${decoded}`;
    const target = pinnedName(profile, name);
    if (target !== null) match = { count: i + 1, target };
  }

  if (!match) return rawAfterPrefix;
  if (match.target === "") return null;
  const target = match.target.split("/").map(encodeURIComponent).join("/");
  return [target, ...segments.slice(match.count)].join("/");
}

function safeDecode(segment: string): string | null {
  try {
    return decodeURIComponent(segment);
  } catch {
    return null; // a malformed escape cannot be part of a pinned name
  }
}
