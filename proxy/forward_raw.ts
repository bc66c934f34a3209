import type { Context } from "hono";
import { readBodyWithin } from "./body_limit.ts";
import { clientInfo } from "./client_ip.ts";
import type { ProxyEnv } from "./deps.ts";
import { dispatch } from "./dispatch.ts";
import { eitherSignal } from "./either_signal.ts";
import { type ProxyObserver, startObservation } from "./observer.ts";
import type { UpstreamCall } from "./relay.ts";
import type { ModelTarget } from "./resolve_model.ts";
import type { RouteContext } from "./routes_inference.ts";
import { dispatchWebSocket } from "./websocket_dispatch.ts";
import { isWebSocketUpgrade } from "./websocket_request.ts";

/** A request passed to one model's server as it is. */
export interface RawForward {
  readonly target: ModelTarget;
  /** The raw sub-path the upstream sees, starting with `/`. */
  readonly path: string;
  /** The raw query string including `?`, or "". */
  readonly query: string;
  /** Who watches the request (`noopObserver` for none). */
  readonly observer: ProxyObserver;
}

/**
 * Forwards the request behind `c` without looking into its body (read
 * whole, under the size limit) to `forward.target`, through the router
 * for a local model; `streaming` only comes from `?stream=true`, so a
 * chat that asks for a stream in its query may get the loading stream. A
 * websocket upgrade is relayed instead and never observed. Used by
 * `/upstream/...` and `/comfyui/...`.
 */
export async function forwardRaw(
  c: Context<ProxyEnv>,
  ctx: RouteContext,
  forward: RawForward,
): Promise<Response> {
  const state = c.get("state");
  const request = c.req.raw;
  const { target, path, query } = forward;
  const client = clientInfo(request, c.env?.remoteAddr);
  if (isWebSocketUpgrade(request.headers)) {
    return await dispatchWebSocket(
      { request, path, query, client, onEnd: () => {} },
      target,
      { ...ctx.dispatch, state, sockets: ctx.sockets },
    );
  }

  const bytes = await readBodyWithin(request, state.config.requestBodyLimit);
  const observation = startObservation(forward.observer, {
    id: crypto.randomUUID(),
    model: target.id,
    path,
    method: request.method,
    headers: request.headers,
    remoteIp: client.ip,
    metadata: {},
  }, ctx.dispatch.logger);

  const call: UpstreamCall = {
    method: request.method,
    path,
    query,
    headers: request.headers,
    body: { bytes, contentType: null },
    streaming: new URL(request.url).searchParams.get("stream") === "true",
    client,
    signal: observation.signal
      ? eitherSignal(request.signal, observation.signal)
      : request.signal,
    observation,
  };
  return await dispatch(call, target, { ...ctx.dispatch, state });
}
