import type { Hono } from "hono";
import type { ApiKey, Config } from "../config/types.ts";
import type { Clock } from "../lib/mod.ts";
import type { Logger } from "../log/mod.ts";
import type { ModelProcessHandle } from "../process/types.ts";
import type { ActiveProfile } from "./active_profile.ts";
import type { ProxyObserver } from "./observer.ts";
import type { RouterPort } from "./router_port.ts";
import type { UpstreamSend } from "./upstream_response.ts";
import type { WebSocketPort } from "./websocket_connect.ts";

/** What one request works with; a config reload replaces all of it. */
export interface ProxyState {
  readonly config: Config;
  readonly router: RouterPort;
  /** By real model ID. */
  readonly processes: ReadonlyMap<string, ModelProcessHandle>;
}

/** Build information shown by `GET /api/version`. */
export interface VersionInfo {
  readonly version: string;
  readonly commit: string;
  readonly buildDate: string;
}

/** Everything `createProxyApp()` needs from the outside world. */
export interface ProxyDeps {
  /**
   * The state for a new request. Called once per request, so a request
   * started before a reload finishes with the state it began with.
   */
  current(): ProxyState;
  logger: Logger;
  /**
   * Sends every upstream request (`ProxyServer` passes its `Http1Pool`
   * for `http://` and `https://` upstreams); defaults to `fetch`.
   */
  send?: UpstreamSend;
  /** The `fetch` used when `send` is not given; the global one by default. */
  fetch?: typeof fetch;
  clock?: Clock;
  observer?: ProxyObserver;
  /**
   * Which profile is active. Pass one to follow its changes
   * (`onProfileChanged`, for `profileChanged` events); by default the app
   * makes its own. It resets whenever `current()` returns a new config.
   */
  profiles?: ActiveProfile;
  /** How websockets are upgraded and dialled; defaults to Deno's. */
  webSockets?: WebSocketPort;
  /** A model's typical load time, for the loading stream's progress. */
  loadTimes?: { expectedMs(model: string): number | null };
  version: VersionInfo;
  /**
   * Mounts more routes (logs, events, metrics, captures, UI) after the
   * proxy's middleware (access log, CORS, auth) and before its own routes.
   */
  extraRoutes?(app: Hono<ProxyEnv>): void;
}

/** The Hono environment of the proxy app. */
export interface ProxyEnv {
  /**
   * The second argument of `app.fetch()`: `Deno.serve` passes its handler
   * info there, which carries the client's address. Hono leaves it
   * undefined when nothing is passed (`app.request()` in tests), so read it
   * as `c.env?.remoteAddr`.
   */
  Bindings: { readonly remoteAddr?: Deno.Addr };
  Variables: {
    /** Fixed for the request by the first middleware. */
    state: ProxyState;
    /** The key the request authenticated with; null when none is needed. */
    apiKey: ApiKey | null;
    /** The resolved model, for the access log; set by model routes. */
    model: string;
  };
}
