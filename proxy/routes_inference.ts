import type { Context, Hono } from "hono";
import { assertModelAllowed } from "./auth.ts";
import { readBodyWithin } from "./body_limit.ts";
import { clientIp } from "./client_ip.ts";
import type { ProxyEnv } from "./deps.ts";
import { dispatch, type DispatchContext } from "./dispatch.ts";
import { HttpError } from "./errors.ts";
import { extractModel } from "./extract_model.ts";
import { type BodyRewrite, rewriteBody, rewriteQueryModel } from "./filters.ts";
import {
  GET_MODEL_PATHS,
  POST_MODEL_PATHS,
  upstreamPathFor,
} from "./inference_routes.ts";
import type { MethodGuard } from "./method_guard.ts";
import { type ProxyObserver, startObservation } from "./observer.ts";
import type { UpstreamCall } from "./relay.ts";
import { type ModelTarget, resolveModel } from "./resolve_model.ts";
import { rawPathAndQuery } from "./upstream_url.ts";

/** What the route handlers share across requests. */
export interface RouteContext {
  readonly observer: ProxyObserver;
  /** The per-request dispatch context, minus the request's state. */
  readonly dispatch: Omit<DispatchContext, "state">;
}

/** Mounts every model-addressed route (reference §1.1). */
export function inferenceRoutes(
  app: Hono<ProxyEnv>,
  guard: MethodGuard,
  ctx: RouteContext,
): void {
  const handler = (c: Context<ProxyEnv>) => handleModelRequest(c, ctx);
  for (const path of POST_MODEL_PATHS) {
    app.post(path, handler);
    guard.allow(path, "POST");
  }
  for (const path of GET_MODEL_PATHS) {
    app.get(path, handler);
    guard.allow(path, "GET");
  }
}

/**
 * Reads the body once (under the size limit), finds and resolves the
 * model, checks the key's scope, applies filters and dispatches.
 */
async function handleModelRequest(
  c: Context<ProxyEnv>,
  ctx: RouteContext,
): Promise<Response> {
  const state = c.get("state");
  const request = c.req.raw;
  const url = new URL(request.url);

  const bytes = await readBodyWithin(request, state.config.requestBodyLimit);
  const extracted = await extractModel({
    method: request.method,
    url,
    contentType: request.headers.get("content-type") ?? "",
    body: bytes,
  });
  const target = resolveModel(state.config, extracted.model);
  if (!target) throw new HttpError(404, "no router for requested model");
  c.set("model", target.id);
  assertModelAllowed(c.get("apiKey"), target.id);

  const rewrite = bodyRewriteFor(target);
  const raw = rawPathAndQuery(request.url);
  const query = target.kind === "peer" && rewrite.modelName !== null
    ? rewriteQueryModel(raw.query, rewrite.modelName)
    : raw.query;
  const path = upstreamPathFor(c.req.path);
  const remoteIp = clientIp(request.headers, c.env?.remoteAddr);
  const observation = startObservation(ctx.observer, {
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
    query,
    headers: request.headers,
    body: await rewriteBody(extracted.body, rewrite),
    streaming: extracted.streaming,
    client: { ip: remoteIp, host: url.host, proto: url.protocol.slice(0, -1) },
    signal: observation.signal
      ? AbortSignal.any([request.signal, observation.signal])
      : request.signal,
    observation,
  };
  return await dispatch(call, target, { ...ctx.dispatch, state }, true);
}

/**
 * Local models: `useModelName` and the model's filters. Peers: the bare
 * peer model ID when the client used another name (the FQN), and the
 * peer's filters; `useModelName` never applies to peers.
 */
function bodyRewriteFor(target: ModelTarget): BodyRewrite {
  if (target.kind === "local") {
    return {
      modelName: target.model.useModelName || null,
      filters: target.model.filters,
      requested: target.requested,
    };
  }
  const bare = target.route.model;
  return {
    modelName: target.requested === bare ? null : bare,
    filters: target.route.peer.filters,
    requested: target.requested,
  };
}
