import type { Config } from "../config/mod.ts";
import { isLoopback } from "./flags.ts";

/**
 * The start-up warning for a proxy anyone on the network may use: it
 * listens beyond loopback and the config has no `apiKeys`. Null when
 * there is nothing to warn about.
 */
export function openAccessWarning(
  hostname: string,
  config: Pick<Config, "apiKeys">,
): string | null {
  if (isLoopback(hostname) || config.apiKeys.length > 0) return null;
  return "listening on every interface with no apiKeys: anyone on the network can use and unload your models";
}
