import type { MiddlewareHandler } from "hono";
import type { ApiKey } from "../config/types.ts";
import type { ProxyEnv } from "./deps.ts";
import { HttpError } from "./errors.ts";
import { isModelPath } from "./inference_routes.ts";

const UNAUTHORIZED_HEADERS = { "WWW-Authenticate": 'Basic realm="llama-swap"' };

/**
 * Requires an API key on every route but the public ones when the config
 * has `apiKeys`, and keeps keys scoped to some models off the admin routes.
 * Sets the `apiKey` variable (null when no keys are configured). Keys are
 * never logged.
 */
export function authMiddleware(): MiddlewareHandler<ProxyEnv> {
  return async (c, next) => {
    const keys = c.get("state").config.apiKeys;
    if (keys.length === 0 || isPublicRoute(c.req.method, c.req.path)) {
      c.set("apiKey", null);
      return await next();
    }

    const key = await matchApiKey(keys, presentedKey(c.req.raw.headers));
    if (!key) {
      throw new HttpError(401, "unauthorized: invalid or missing API key", {
        headers: UNAUTHORIZED_HEADERS,
      });
    }
    if (key.models !== null && !isScopedRoute(c.req.path)) {
      throw new HttpError(
        403,
        "forbidden: this API key may only use its models, not this route",
      );
    }
    c.set("apiKey", key);
    await next();
  };
}

/** Throws 403 unless `key` may use `model` (a real ID or a peer FQN). */
export function assertModelAllowed(key: ApiKey | null, model: string): void {
  if (key?.models && !key.models.includes(model)) {
    throw new HttpError(
      403,
      `forbidden: this API key may not use model "${model}"`,
    );
  }
}

/** True when an API key with `models` may list or use the models. */
export function keyAllowsModel(key: ApiKey | null, model: string): boolean {
  return !key?.models || key.models.includes(model);
}

/**
 * Routes anyone may call, keys or not. The web UI's pages and assets are
 * public because they hold no data: the page asks for a key and sends it
 * with every API call it makes.
 */
export function isPublicRoute(method: string, path: string): boolean {
  if (path === "/health" || path === "/wol-health") return true;
  if (path === "/favicon.ico") return true;
  const get = method === "GET" || method === "HEAD";
  if (get && (path === "/ui" || path.startsWith("/ui/"))) return true;
  return get && (path === "/" || path === "/upstream");
}

/**
 * Routes a scoped key may call: model routes, `/upstream/...`,
 * `/comfyui...` (each still checks the key's models) and the model listing.
 */
function isScopedRoute(path: string): boolean {
  return isModelPath(path) || path.startsWith("/upstream/") ||
    path === "/comfyui" || path.startsWith("/comfyui/") ||
    path === "/v1/models" || path === "/models";
}

/**
 * The key a request presents, first non-empty of: the password of
 * `Authorization: Basic`, the token of `Authorization: Bearer` (scheme
 * case-insensitive), `x-api-key`. Malformed Basic credentials are skipped.
 * Returns "" when there is none.
 */
export function presentedKey(headers: Headers): string {
  const authorization = (headers.get("authorization") ?? "").trim();
  const space = authorization.indexOf(" ");
  const scheme = space < 0 ? "" : authorization.slice(0, space).toLowerCase();
  const value = space < 0 ? "" : authorization.slice(space + 1).trim();

  if (scheme === "basic") {
    const password = basicPassword(value);
    if (password) return password;
  } else if (scheme === "bearer" && value !== "") {
    return value;
  }
  return (headers.get("x-api-key") ?? "").trim();
}

function basicPassword(encoded: string): string {
  let decoded: string;
  try {
    const binary = atob(encoded);
    const bytes = Uint8Array.from(binary, (ch) => ch.charCodeAt(0));
    decoded = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return ""; // not base64 or not UTF-8: treated as no Basic credentials
  }
  const colon = decoded.indexOf(":");
  return colon < 0 ? "" : decoded.slice(colon + 1);
}

const digestCache = new WeakMap<readonly ApiKey[], Promise<Uint8Array[]>>();

/**
 * The configured key equal to `presented`, or null. Compares SHA-256
 * digests of equal length byte by byte over every key without stopping
 * early, so timing tells nothing about how much of a key matched.
 */
export async function matchApiKey(
  keys: readonly ApiKey[],
  presented: string,
): Promise<ApiKey | null> {
  if (presented === "") return null;
  let digests = digestCache.get(keys);
  if (!digests) {
    digests = Promise.all(keys.map((key) => sha256(key.key)));
    digestCache.set(keys, digests);
  }
  const wanted = await sha256(presented);

  let found: ApiKey | null = null;
  const known = await digests;
  for (let i = 0; i < known.length; i++) {
    const digest = known[i]!;
    let diff = 0;
    for (let b = 0; b < digest.length; b++) diff |= digest[b]! ^ wanted[b]!;
    if (diff === 0) found = keys[i]!;
  }
  return found;
}

async function sha256(text: string): Promise<Uint8Array> {
  const data = new TextEncoder().encode(text);
  return new Uint8Array(await crypto.subtle.digest("SHA-256", data));
}
