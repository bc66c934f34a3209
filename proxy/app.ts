import { Hono } from "hono";
import { systemClock } from "../lib/mod.ts";
import { accessLog } from "./access_log.ts";
import { ActiveProfile } from "./active_profile.ts";
import { authMiddleware } from "./auth.ts";
import { canonicalPaths } from "./clean_path.ts";
import { corsPreflight } from "./cors.ts";
import type { ProxyDeps, ProxyEnv } from "./deps.ts";
import { errorResponse, HttpError } from "./errors.ts";
import { MethodGuard } from "./method_guard.ts";
import { noopObserver } from "./observer.ts";
import { comfyuiRoutes } from "./routes_comfyui.ts";
import { inferenceRoutes, type RouteContext } from "./routes_inference.ts";
import { opsRoutes } from "./routes_ops.ts";
import { profileRoutes } from "./routes_profiles.ts";
import { upstreamRoutes } from "./routes_upstream.ts";
import { sendWithFetch } from "./upstream_response.ts";
import { SelectorPicker } from "./selector_picker.ts";
import { denoWebSockets } from "./websocket_connect.ts";

/**
 * The proxy as a Hono app, a plain fetch handler: serve it with
 * `Deno.serve(app.fetch)` (which passes the client's address), or call
 * `app.request()` in tests.
 *
 * Every request first takes the current state (config, router, processes)
 * and lets the active profile notice a new config (which resets it), then
 * passes the access log, the CORS preflight answer, the redirect of a
 * non-canonical path and the API key check, in that order. Unknown paths get `404 page not found`, known paths
 * with another method 405 with `Allow`, and every failure the JSON error
 * envelope (or its text/HTML variant) through one `onError`.
 */
export function createProxyApp(deps: ProxyDeps): Hono<ProxyEnv> {
  const app = new Hono<ProxyEnv>();
  const clock = deps.clock ?? systemClock;
  const logger = deps.logger.child("proxy");
  const profiles = deps.profiles ?? new ActiveProfile(logger);
  const ctx: RouteContext = {
    profiles,
    selectors: new SelectorPicker(),
    sockets: deps.webSockets ?? denoWebSockets,
    observer: deps.observer ?? noopObserver,
    dispatch: {
      send: deps.send ?? sendWithFetch(deps.fetch ?? fetch),
      clock,
      logger,
      loadTimes: deps.loadTimes,
    },
  };

  app.use(async (c, next) => {
    const state = deps.current();
    profiles.sync(state.config);
    c.set("state", state);
    await next();
  });
  app.use(accessLog(deps.logger.child("access"), clock));
  app.use(corsPreflight());
  app.use(canonicalPaths());
  app.use(authMiddleware());

  deps.extraRoutes?.(app);

  const guard = new MethodGuard();
  opsRoutes(app, guard, { clock, version: deps.version, profiles });
  profileRoutes(app, guard, profiles);
  inferenceRoutes(app, guard, ctx);
  guard.seal(app);
  // After the 405 answers: `/upstream/*` also matches `/upstream` itself.
  upstreamRoutes(app, ctx);
  comfyuiRoutes(app, ctx);

  app.notFound(() =>
    new Response("404 page not found\n", {
      status: 404,
      headers: { "Content-Type": "text/plain; charset=utf-8" },
    })
  );
  app.onError((error, c) => {
    const accept = c.req.header("accept") ?? null;
    if (error instanceof HttpError) {
      if (error.status >= 500) {
        logger.warn("request failed", {
          method: c.req.method,
          path: c.req.path,
          status: error.status,
          error: error.message,
        });
      }
      return errorResponse(accept, error);
    }
    logger.error("request failed unexpectedly", {
      method: c.req.method,
      path: c.req.path,
      error: error instanceof Error
        ? error.stack ?? error.message
        : String(error),
    });
    return errorResponse(accept, new HttpError(500, "internal server error"));
  });
  return app;
}
