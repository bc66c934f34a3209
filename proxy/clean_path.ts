import type { MiddlewareHandler } from "hono";
import type { ProxyEnv } from "./deps.ts";
import { rawPathAndQuery } from "./upstream_url.ts";

/**
 * The canonical form of a raw request path, the one llama-swap's router
 * (Go's `ServeMux`) redirects to: repeated slashes collapsed, `.` segments
 * dropped, each `..` removing the segment before it (never climbing above
 * the root), and a trailing slash kept. Percent-encoded dots are left as
 * they are.
 */
export function cleanPath(path: string): string {
  const kept: string[] = [];
  for (const segment of path.split("/")) {
    if (segment === "" || segment === ".") continue;
    if (segment === "..") kept.pop();
    else kept.push(segment);
  }
  const clean = `/${kept.join("/")}`;
  return path.endsWith("/") && clean !== "/" ? `${clean}/` : clean;
}

/**
 * Answers a request whose path is not canonical (`//v1/models`,
 * `/v1/../health`) with a 301 to the canonical one, its query kept, before
 * any route or key check sees it, as llama-swap does.
 */
export function canonicalPaths(): MiddlewareHandler<ProxyEnv> {
  return async (c, next) => {
    const { path, query } = rawPathAndQuery(c.req.url);
    if (!NON_CANONICAL.test(path)) return await next();
    const clean = cleanPath(path);
    if (clean === path) return await next();
    return new Response(null, {
      status: 301,
      headers: { Location: `${escapeForLocation(clean)}${query}` },
    });
  };
}

/**
 * Characters a path may not hold as they are (RFC 3986 path characters,
 * plus `%` for what is encoded already).
 */
const NOT_PATH_CHARACTER = /[^A-Za-z0-9\-._~!$&'()*+,;=:@/%]/g;

/**
 * `path` with every character a path may not hold percent-encoded, as Go
 * writes a redirect's path: a raw `/\evil.com` (which a browser would
 * follow to `//evil.com`, another host) becomes `/%5Cevil.com`.
 */
export function escapeForLocation(path: string): string {
  return path.replace(NOT_PATH_CHARACTER, encodeURIComponent);
}

/** Cheap pre-check: a repeated slash, or a `.` or `..` segment. */
const NON_CANONICAL = /\/\/|\/\.\.?(\/|$)|^[^/]/;
