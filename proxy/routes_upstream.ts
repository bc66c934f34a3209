import type { Context, Hono } from "hono";
import type { Config } from "../config/types.ts";
import { assertModelAllowed } from "./auth.ts";
import { readBodyWithin } from "./body_limit.ts";
import { clientIp } from "./client_ip.ts";
import type { ProxyEnv } from "./deps.ts";
import { dispatch } from "./dispatch.ts";
import { HttpError } from "./errors.ts";
import { isInferencePath } from "./inference_routes.ts";
import {
  noopObserver,
  type RequestObservation,
  startObservation,
} from "./observer.ts";
import type { UpstreamCall } from "./relay.ts";
import type { RouteContext } from "./routes_inference.ts";
import { collapseSlashes, resolveUpstreamPath } from "./upstream_path.ts";
import { rawPathAndQuery } from "./upstream_url.ts";

const PREFIX = "/upstream/";

/**
 * Mounts `ANY /upstream/<model>/<path>`: a raw passthrough to one model's
 * server with no body inspection. The request starts or swaps the model
 * like any other, except that a local model that is not ready refuses
 * paths matching `upstream.ignorePaths` with 409. Never a loading stream.
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

  const found = resolveUpstreamPath(
    state.config,
    raw.path.slice(PREFIX.length),
  );
  if (!found) throw new HttpError(404, "model not found");
  const target = found.target;
  c.set("model", target.id);
  assertModelAllowed(c.get("apiKey"), target.id);

  if (found.rest === "") {
    const get = request.method === "GET" || request.method === "HEAD";
    const location = `${PREFIX}${found.rawModel}/${raw.query}`;
    return c.redirect(location, get ? 301 : 308);
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

  const url = new URL(request.url);
  const remoteIp = clientIp(request.headers, c.env?.remoteAddr);
  const bytes = await readBodyWithin(request, state.config.requestBodyLimit);
  const observer = isInferencePath(path) ? ctx.observer : noopObserver;
  const observation: RequestObservation = startObservation(observer, {
    id: crypto.randomUUID(),
    model: target.id,
    path,
    method: request.method,
    headers: request.headers,
    remoteIp,
    metadata: {},
  }, ctx.dispatch.logger);

  const call: UpstreamCall = {
    method: request.method,
    path,
    query: raw.query,
    headers: request.headers,
    body: { bytes, contentType: null },
    streaming: url.searchParams.get("stream") === "true",
    client: { ip: remoteIp, host: url.host, proto: url.protocol.slice(0, -1) },
    signal: observation.signal
      ? AbortSignal.any([request.signal, observation.signal])
      : request.signal,
    observation,
  };
  return await dispatch(call, target, { ...ctx.dispatch, state }, false);
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
