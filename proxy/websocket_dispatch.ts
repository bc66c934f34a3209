import { errorText } from "../lib/mod.ts";
import type { Clock } from "../lib/mod.ts";
import type { Logger } from "../log/mod.ts";
import type { ClientInfo } from "./client_ip.ts";
import type { ModelProcessHandle } from "../process/types.ts";
import type { ProxyState } from "./deps.ts";
import { HttpError } from "./errors.ts";
import { upstreamHeaders, type UpstreamKind } from "./forward.ts";
import type { ModelTarget } from "./resolve_model.ts";
import { type Lease, routerFailure } from "./router_port.ts";
import { joinUpstreamUrl } from "./upstream_url.ts";
import {
  connectUpstreamSocket,
  type WebSocketPort,
} from "./websocket_connect.ts";
import { offeredProtocols } from "./websocket_request.ts";
import { WebSocketRelay } from "./websocket_relay.ts";

/** A websocket upgrade request on its way to a model. */
export interface WebSocketCall {
  /** The client's upgrade request, as `Deno.serve` handed it over. */
  readonly request: Request;
  /** The raw path the upstream sees, starting with `/`. */
  readonly path: string;
  /** The raw query string including `?`, or "". */
  readonly query: string;
  readonly client: ClientInfo;
  /**
   * Runs once when the connection is over or could not be made, and at
   * once for an ignored websocket: it ends a selector's reservation.
   */
  readonly onEnd: () => void;
}

export interface WebSocketContext {
  readonly state: ProxyState;
  readonly sockets: WebSocketPort;
  readonly clock: Clock;
  readonly logger: Logger;
}

/** How a relay ends: what it holds and what may cut it short. */
interface Hold {
  /** The model's ID or the peer model's FQN, for the logs. */
  readonly model: string;
  readonly release: () => void;
  /** A model whose leaving `ready` closes the relay. */
  readonly watch: ModelProcessHandle | null;
}

/**
 * Serves a websocket upgrade for a resolved model: dials the upstream
 * with the client's headers and offered subprotocols, then upgrades the
 * client with the subprotocol the upstream chose and relays frames both
 * ways until either side closes. Resolves with the 101 answer.
 *
 * Peers are dialled at once. A local model with `compat.ignoreWebsockets`
 * bypasses the router: 409 unless it is ready, no lease, no reservation,
 * and the relay is cut when the model leaves `ready`. Any other local
 * model goes through the router like an HTTP request (it may start the
 * model) and keeps its lease until the socket closes.
 *
 * Throws `HttpError`: router rejections, 409, 502/504 when the upstream
 * refuses or does not answer the handshake, 400 when the client's request
 * cannot be upgraded. The lease and `onEnd` are released on every path.
 */
export async function dispatchWebSocket(
  call: WebSocketCall,
  target: ModelTarget,
  ctx: WebSocketContext,
): Promise<Response> {
  const end = onceOnly(call.onEnd);
  try {
    if (target.kind === "peer") {
      const peer = target.route.peer;
      const upstream = await dial(call, ctx, {
        baseUrl: peer.proxy,
        kind: { kind: "peer", apiKey: peer.apiKey },
        timeoutMs: peer.timeouts.responseHeader * 1000,
        failurePrefix: "peer proxy error",
      });
      return bridge(call, upstream, ctx, {
        model: target.id,
        release: end,
        watch: null,
      });
    }
    if (target.model.compat.ignoreWebsockets) {
      end();
      return await serveIgnored(call, target, ctx);
    }
    return await serveLeased(call, target, ctx, end);
  } catch (error) {
    end();
    throw error;
  }
}

type LocalTarget = Extract<ModelTarget, { kind: "local" }>;

async function serveIgnored(
  call: WebSocketCall,
  target: LocalTarget,
  ctx: WebSocketContext,
): Promise<Response> {
  const process = ctx.state.processes.get(target.id);
  const refusal = new HttpError(
    409,
    `model ${target.id} is not loaded; ignored websocket requests cannot start it`,
  );
  if (process?.state !== "ready") throw refusal;

  const upstream = await dial(call, ctx, localDial(call, target));
  if (process.state !== "ready") {
    upstream.close();
    throw refusal;
  }
  return bridge(call, upstream, ctx, {
    model: target.id,
    release: () => {},
    watch: process,
  });
}

async function serveLeased(
  call: WebSocketCall,
  target: LocalTarget,
  ctx: WebSocketContext,
  end: () => void,
): Promise<Response> {
  let lease: Lease;
  try {
    const ticket = await ctx.state.router.request(target.id, {
      signal: call.request.signal,
    });
    lease = await ticket.lease;
  } catch (error) {
    throw routerFailure(error);
  }

  const release = onceOnly(() => {
    lease.release();
    end();
  });
  try {
    const upstream = await dial(call, ctx, localDial(call, target));
    return bridge(call, upstream, ctx, {
      model: target.id,
      release,
      // An unload stops the model under the lease: say so (1001).
      watch: ctx.state.processes.get(target.id) ?? null,
    });
  } catch (error) {
    release();
    throw error;
  }
}

interface DialTarget {
  readonly baseUrl: string;
  readonly kind: UpstreamKind;
  readonly timeoutMs: number;
  readonly failurePrefix: string;
}

function localDial(call: WebSocketCall, target: LocalTarget): DialTarget {
  return {
    baseUrl: target.model.proxy,
    kind: {
      kind: "local",
      clientIp: call.client.peer,
      host: call.client.host,
      proto: call.client.proto,
    },
    timeoutMs: target.model.timeouts.responseHeader * 1000,
    failurePrefix: "upstream connection failed",
  };
}

/**
 * Handshake headers the websocket client makes itself (Deno's takes
 * `Host` from the URL whatever it is given).
 */
const HANDSHAKE_HEADERS = [
  "host",
  "sec-websocket-key",
  "sec-websocket-version",
  "sec-websocket-extensions",
  "sec-websocket-protocol",
  "accept-encoding",
  "content-type",
];

function dial(
  call: WebSocketCall,
  ctx: WebSocketContext,
  target: DialTarget,
): Promise<WebSocket> {
  const http = joinUpstreamUrl(target.baseUrl, call.path, call.query);
  const headers = upstreamHeaders(call.request.headers, target.kind, null);
  for (const name of HANDSHAKE_HEADERS) headers.delete(name);
  if (target.kind.kind === "local") {
    sameOriginForUpstream(headers, target.kind.host, http);
  }

  return connectUpstreamSocket(ctx.sockets, http.replace(/^http/, "ws"), {
    protocols: offeredProtocols(call.request.headers),
    headers,
    signal: call.request.signal,
    timeoutMs: target.timeoutMs,
    failurePrefix: target.failurePrefix,
    clock: ctx.clock,
  });
}

/**
 * A browser page served through the proxy opens its websocket with the
 * proxy as `Origin`. Plain requests carry the client's `Host` upstream, so
 * a server that compares the two (ComfyUI does) sees them agree; Deno's
 * websocket client cannot send that `Host`, so such an `Origin` becomes
 * the upstream's own instead, and the pair agrees again. An `Origin` of
 * any other site is left as it came, for the upstream to judge.
 */
function sameOriginForUpstream(
  headers: Headers,
  clientHost: string,
  upstreamUrl: string,
): void {
  const origin = headers.get("origin");
  if (origin === null) return;
  let host: string;
  try {
    host = new URL(origin).host;
  } catch {
    return; // `null` or garbage: not the proxy's own pages
  }
  if (host.toLowerCase() === clientHost.toLowerCase()) {
    headers.set("origin", new URL(upstreamUrl).origin);
  }
}

/** Upgrades the client and relays until both sides are closed. */
function bridge(
  call: WebSocketCall,
  upstream: WebSocket,
  ctx: WebSocketContext,
  hold: Hold,
): Response {
  let upgraded: { socket: WebSocket; response: Response };
  try {
    const protocol = upstream.protocol;
    upgraded = ctx.sockets.upgrade(call.request, protocol ? { protocol } : {});
  } catch (error) {
    upstream.close();
    const detail = errorText(error);
    throw new HttpError(400, `cannot upgrade to a websocket: ${detail}`, {
      cause: error,
    });
  }

  const relay = new WebSocketRelay(upgraded.socket, upstream, {
    clock: ctx.clock,
  });
  const model = hold.model;
  const unwatch = hold.watch?.onStateChange((change) => {
    if (change.to !== "ready") relay.cut(1001, `model ${model} was unloaded`);
  });
  ctx.logger.debug("websocket opened", { path: call.path, model });
  void relay.done.then(() => {
    unwatch?.();
    hold.release();
    ctx.logger.debug("websocket closed", { path: call.path, model });
  });
  return upgraded.response;
}

function onceOnly(fn: () => void): () => void {
  let done = false;
  return () => {
    if (done) return;
    done = true;
    fn();
  };
}
