import type { Context, Hono } from "hono";
import type { ActiveProfile } from "./active_profile.ts";
import { assertModelAllowed } from "./auth.ts";
import { readBodyWithin } from "./body_limit.ts";
import { clientInfo } from "./client_ip.ts";
import type { ProxyEnv } from "./deps.ts";
import { dispatch, type DispatchContext } from "./dispatch.ts";
import { eitherSignal } from "./either_signal.ts";
import { HttpError } from "./errors.ts";
import { type ExtractedModel, extractModel } from "./extract_model.ts";
import { type BodyRewrite, rewriteBody, rewriteQueryModel } from "./filters.ts";
import {
  GET_MODEL_PATHS,
  POST_MODEL_PATHS,
  upstreamPathFor,
} from "./inference_routes.ts";
import type { MethodGuard } from "./method_guard.ts";
import {
  alsoOnFinished,
  finishWithError,
  type ProxyObserver,
  type RequestStart,
  startObservation,
} from "./observer.ts";
import type { UpstreamCall } from "./relay.ts";
import { type ModelTarget, resolveModel } from "./resolve_model.ts";
import { type RoutedName, routeName } from "./route_name.ts";
import type { SelectorPicker } from "./selector_picker.ts";
import { rawPathAndQuery } from "./upstream_url.ts";
import type { WebSocketPort } from "./websocket_connect.ts";
import { dispatchWebSocket } from "./websocket_dispatch.ts";
import { isWebSocketUpgrade } from "./websocket_request.ts";

/** What the route handlers share across requests. */
export interface RouteContext {
  readonly observer: ProxyObserver;
  /** The per-request dispatch context, minus the request's state. */
  readonly dispatch: Omit<DispatchContext, "state">;
  readonly profiles: ActiveProfile;
  readonly selectors: SelectorPicker;
  readonly sockets: WebSocketPort;
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
 * Reads the body once (under the size limit), finds the model, applies the
 * active profile's pin and a selector, resolves the model, checks the
 * key's scope, applies filters and dispatches (a websocket upgrade is
 * relayed instead). A selector's reservation ends with the request.
 */
async function handleModelRequest(
  c: Context<ProxyEnv>,
  ctx: RouteContext,
): Promise<Response> {
  const state = c.get("state");
  const request = c.req.raw;

  const bytes = await readBodyWithin(request, state.config.requestBodyLimit);
  const url = new URL(request.url);
  const extracted = await extractModel({
    method: request.method,
    url,
    contentType: request.headers.get("content-type") ?? "",
    body: bytes,
  });
  const routed = routeName(extracted.model, {
    config: state.config,
    processes: state.processes,
    profile: ctx.profiles.current(state.config),
    selectors: ctx.selectors,
  });
  try {
    return await serveRouted(c, ctx, { extracted, routed, url });
  } catch (error) {
    routed.release();
    throw error;
  }
}

/** What `handleModelRequest()` found out about a request. */
interface Routed {
  readonly extracted: ExtractedModel;
  readonly routed: RoutedName;
  readonly url: URL;
}

async function serveRouted(
  c: Context<ProxyEnv>,
  ctx: RouteContext,
  { extracted, routed, url }: Routed,
): Promise<Response> {
  const state = c.get("state");
  const request = c.req.raw;
  const path = upstreamPathFor(c.req.path);
  const client = clientInfo(request, c.env?.remoteAddr, url);
  const observed = (
    model: string,
    metadata: Record<string, string>,
  ): RequestStart => ({
    id: crypto.randomUUID(),
    model,
    path,
    method: request.method,
    headers: request.headers,
    remoteIp: client.ip,
    metadata,
  });
  const target = resolveModel(state.config, routed.name);
  if (!target) {
    const error = new HttpError(404, "no router for requested model");
    // llama-swap records this refusal in the activity log, under the name
    // the request carried.
    const observation = startObservation(
      ctx.observer,
      observed(routed.name, {}),
      ctx.dispatch.logger,
    );
    observation.requestBody(
      extracted.body.kind === "none" ? null : extracted.body.bytes,
    );
    finishWithError(observation, request.headers.get("accept"), error);
    throw error;
  }
  c.set("model", target.id);
  assertModelAllowed(c.get("apiKey"), target.id);

  const rewrite = bodyRewriteFor(target, routed.rewritten);
  const query = outgoingQuery(request.url, target, routed, rewrite);
  if (isWebSocketUpgrade(request.headers)) {
    return await dispatchWebSocket(
      { request, path, query, client, onEnd: routed.release },
      target,
      { ...ctx.dispatch, state, sockets: ctx.sockets },
    );
  }

  const observation = alsoOnFinished(
    startObservation(
      ctx.observer,
      observed(
        target.id,
        routed.selector === null ? {} : { selector: routed.selector },
      ),
      ctx.dispatch.logger,
    ),
    routed.release,
  );
  const call: UpstreamCall = {
    method: request.method,
    path,
    query,
    headers: request.headers,
    body: await rewriteBody(extracted.body, rewrite),
    streaming: extracted.streaming,
    client,
    signal: observation.signal
      ? eitherSignal(request.signal, observation.signal)
      : request.signal,
    observation,
  };
  return await dispatch(call, target, { ...ctx.dispatch, state });
}

/**
 * The raw query to send: its `model` parameter becomes the bare peer model
 * ID for a peer that needs it, or the new name after a pin or selector;
 * otherwise the client's query is kept exactly.
 */
function outgoingQuery(
  url: string,
  target: ModelTarget,
  routed: RoutedName,
  rewrite: BodyRewrite,
): string {
  const raw = rawPathAndQuery(url).query;
  const name = target.kind === "peer"
    ? rewrite.modelName
    : routed.rewritten
    ? routed.name
    : null;
  return name === null ? raw : rewriteQueryModel(raw, name);
}

/**
 * Local models: `useModelName`, else the new name when a pin or selector
 * replaced the client's, and the model's filters (`setParamsByID` keyed by
 * the name the request now carries); an urlencoded form only gets the new
 * name of a pin or selector.
 * Peers: the bare peer model ID when the request's name is another one
 * (the FQN) or was replaced, in forms too, and the peer's filters;
 * `useModelName` never applies to peers.
 */
function bodyRewriteFor(target: ModelTarget, rewritten: boolean): BodyRewrite {
  if (target.kind === "local") {
    const renamed = rewritten ? target.requested : null;
    return {
      modelName: target.model.useModelName || renamed,
      filters: target.model.filters,
      requested: target.requested,
      formModelName: renamed,
    };
  }
  const bare = target.route.model;
  const modelName = rewritten || target.requested !== bare ? bare : null;
  return {
    modelName,
    filters: target.route.peer.filters,
    requested: target.requested,
    formModelName: modelName,
  };
}
