import { errorText } from "../lib/mod.ts";

/** Small pure helpers that turn a `ModelConfig` into launch settings. */

/**
 * `NAME=value` entries as a record; a later entry for the same name wins.
 * Entries without `=` or with an empty name are skipped (the loader has
 * already refused them).
 */
export function parseEnvEntries(
  entries: readonly string[],
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const entry of entries) {
    const at = entry.indexOf("=");
    if (at <= 0) continue;
    env[entry.slice(0, at)] = entry.slice(at + 1);
  }
  return env;
}

/**
 * The URL probed for readiness: `proxy` without a trailing slash, then
 * `endpoint` with a leading one.
 */
export function healthUrl(proxy: string, endpoint: string): string {
  const base = proxy.replace(/\/+$/, "");
  const path = endpoint.trim();
  return path.startsWith("/") ? `${base}${path}` : `${base}/${path}`;
}

/** True when `checkEndpoint` turns readiness checks off. */
export function skipsHealthCheck(endpoint: string): boolean {
  return endpoint.trim() === "none";
}

/** Short reason why a program could not be executed. */
export function describeSpawnError(error: unknown): string {
  if (error instanceof Deno.errors.NotFound) return "command not found";
  if (error instanceof Deno.errors.PermissionDenied) {
    return "permission denied";
  }
  return errorText(error);
}
