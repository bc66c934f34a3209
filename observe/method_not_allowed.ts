import type { Hono } from "hono";
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
  const allow = method === "GET" ? "GET, HEAD" : method;
  app.all(path, () =>
    new Response("Method Not Allowed\n", {
      status: 405,
      headers: { "Allow": allow, "Content-Type": "text/plain; charset=utf-8" },
    }));
}
