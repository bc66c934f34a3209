/**
 * The HTTP proxy: routes, auth, filters, forwarding, peers, profiles,
 * selectors, websockets and the loading stream, as one Hono app.
 */
export { ActiveProfile, type ProfileListener } from "./active_profile.ts";
export { createProxyApp } from "./app.ts";
export {
  Http1Pool,
  type ProxyEnvironment,
  proxyEnvironment,
  sendThrough,
} from "./http1_client.ts";
export {
  fetchThrough,
  sendWithFetch,
  type UpstreamResponse,
  type UpstreamSend,
} from "./upstream_response.ts";
export type { ProxyDeps, ProxyEnv, ProxyState, VersionInfo } from "./deps.ts";
export { errorEnvelope, HttpError } from "./errors.ts";
export type { ErrorEnvelope } from "./errors.ts";
export {
  noopObserver,
  type ProxyObserver,
  type RequestObservation,
  type RequestStart,
} from "./observer.ts";
export type { Lease, RouterPort, Ticket } from "./router_port.ts";
export { denoWebSockets, type WebSocketPort } from "./websocket_connect.ts";
