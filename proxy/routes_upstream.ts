import type { Context, Hono } from "hono";
import type { Config } from "../config/types.ts";
import { assertModelAllowed } from "./auth.ts";
import type { ProxyEnv } from "./deps.ts";
import { HttpError } from "./errors.ts";
import { forwardRaw } from "./forward_raw.ts";
import { isInferencePath } from "./inference_routes.ts";
import { noopObserver } from "./observer.ts";
import { pinUpstreamPath } from "./profile_pins.ts";
import type { RouteContext } from "./routes_inference.ts";
import { collapseSlashes, resolveUpstreamPath } from "./upstream_path.ts";
import { rawPathAndQuery } from "./upstream_url.ts";

const PREFIX = "/upstream/";

/**
 * Mounts `ANY /upstream/<model>/<path>`: a raw passthrough to one model's
 * server with no body inspection. The active profile's pins apply to the
 * model part of the path (the longest pin wins); selectors do not. The
 * request starts or swaps the model like any other, except that a local
 * model that is not ready refuses paths matching `upstream.ignorePaths`
 * with 409. A chat that asks for a stream in its query (`?stream=true`,
 * the only place llama-swap looks here) may get the loading stream, as
 * server.md §2.8 describes the current llama-swap; router.md §5.1, from
 * the older revision, says never. Websocket upgrades are relayed.
 */
export function upstreamRoutes(app: Hono<ProxyEnv>, ctx: RouteContext): void {
  app.all("/upstream/*", (c) => handleUpstream(c, ctx));
}

async function handleUpstream(
  c: Context<ProxyEnv>,
  ctx: RouteContext,
): Promise<Response> {
  const state = c.get("state");
  const request = c.req.raw;
  const raw = rawPathAndQuery(request.url);
  const asked = raw.path.slice(PREFIX.length);

  const pinned = pinUpstreamPath(ctx.profiles.current(state.config), asked);
  const found = pinned === null
    ? null
    : resolveUpstreamPath(state.config, pinned);
  if (!found) throw new HttpError(404, "model not found");
  const target = found.target;
  c.set("model", target.id);
  assertModelAllowed(c.get("apiKey"), target.id);

  if (found.rest === "") {
    // The client's own spelling, so that a pin still applies after it.
    const get = request.method === "GET" || request.method === "HEAD";
    return c.redirect(`${PREFIX}${asked}/${raw.query}`, get ? 301 : 308);
  }
  const path = collapseSlashes(found.rest);
  if (
    target.kind === "local" &&
    state.processes.get(target.id)?.state !== "ready" &&
    matchesIgnoredPath(state.config, path)
  ) {
    throw new HttpError(
      409,
      `model ${target.id} is not loaded; path matches upstream.ignorePaths`,
    );
  }

  return await forwardRaw(c, ctx, {
    target,
    path,
    query: raw.query,
    observer: isInferencePath(path) ? ctx.observer : noopObserver,
  });
}

const compiled = new WeakMap<Config, RegExp[]>();

/** True when the sub-path matches one of `upstream.ignorePaths`. */
function matchesIgnoredPath(config: Config, path: string): boolean {
  let patterns = compiled.get(config);
  if (!patterns) {
    patterns = config.upstreamIgnorePaths.map((source) => new RegExp(source));
    compiled.set(config, patterns);
  }
  const decoded = safeDecode(path);
  return patterns.some((pattern) => pattern.test(decoded));
}

function safeDecode(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path; // a malformed escape: match the raw text instead
  }
}
