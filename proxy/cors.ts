import type { MiddlewareHandler } from "hono";

const DEFAULT_ALLOW_HEADERS =
  "Content-Type, Authorization, Accept, X-Requested-With";

/** RFC 9110 token characters; a header name is made of nothing else. */
const TOKEN = /^[A-Za-z0-9!#$%&'*+\-.^_`|~]+$/;

/**
 * Answers every `OPTIONS` request (any path, no key needed) with 204 and
 * permissive CORS headers. The allowed headers echo the preflight's
 * `Access-Control-Request-Headers`, keeping only valid header names; a
 * missing or empty one gets the default list, as in llama-swap.
 */
export function corsPreflight(): MiddlewareHandler {
  return async (c, next) => {
    if (c.req.method !== "OPTIONS") return await next();

    const requested = c.req.header("access-control-request-headers");
    return new Response(null, {
      status: 204,
      headers: {
        "Access-Control-Allow-Origin": "*",
        "Access-Control-Allow-Methods":
          "GET, POST, PUT, PATCH, DELETE, OPTIONS",
        "Access-Control-Allow-Headers": requested
          ? sanitizeHeaderList(requested)
          : DEFAULT_ALLOW_HEADERS,
        "Access-Control-Max-Age": "86400",
      },
    });
  };
}

/** `"  X-Custom ,  Bad Header, Accept "` -> `"X-Custom, Accept"`. */
export function sanitizeHeaderList(list: string): string {
  return list.split(",")
    .map((name) => name.trim())
    .filter((name) => TOKEN.test(name))
    .join(", ");
}
