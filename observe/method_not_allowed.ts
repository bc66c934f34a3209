import type { Hono } from "hono";
import { methodNotAllowed } from "../lib/mod.ts";
import type { ProxyEnv } from "../proxy/mod.ts";

/**
 * Answers every other method on `path` with 405 and an `Allow` header, as
 * the rest of the proxy does (GET implies HEAD). Register it after the
 * path's real routes, which answer first.
 */
export function refuseOtherMethods(
  app: Hono<ProxyEnv>,
  path: string,
  method: "GET" | "POST",
): void {
  app.all(path, () => methodNotAllowed([method]));
}
