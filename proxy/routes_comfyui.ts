import type { Context, Hono } from "hono";
import { assertModelAllowed } from "./auth.ts";
import type { ProxyEnv } from "./deps.ts";
import { HttpError } from "./errors.ts";
import { forwardRaw } from "./forward_raw.ts";
import { noopObserver } from "./observer.ts";
import type { RouteContext } from "./routes_inference.ts";
import { assertSafeSubPath, collapseSlashes } from "./upstream_path.ts";
import { rawPathAndQuery } from "./upstream_url.ts";

/** The local model `/comfyui/` serves; the config gives it extra room. */
export const COMFYUI_MODEL = "comfyui_auto";

const PREFIX = "/comfyui";

/**
 * Mounts `ANY /comfyui` (301 for GET and HEAD, else 308, to `/comfyui/`
 * with the query) and `ANY /comfyui/<path>`: a raw passthrough to the
 * local model `comfyui_auto`, prefix removed and escapes kept. Only
 * `/comfyui/` itself may start the model; any other path while it is not
 * ready gets 409, so the page's many asset and API calls cannot start it.
 * Websockets relay as for any model with `ignoreWebsockets` (the config
 * always sets it for this model). Nothing here is observed.
 */
export function comfyuiRoutes(app: Hono<ProxyEnv>, ctx: RouteContext): void {
  app.all(PREFIX, (c) => {
    const get = c.req.method === "GET" || c.req.method === "HEAD";
    const { query } = rawPathAndQuery(c.req.url);
    return c.redirect(`${PREFIX}/${query}`, get ? 301 : 308);
  });
  app.all(`${PREFIX}/*`, (c) => handleComfyui(c, ctx));
}

async function handleComfyui(
  c: Context<ProxyEnv>,
  ctx: RouteContext,
): Promise<Response> {
  const state = c.get("state");
  const model = Object.hasOwn(state.config.models, COMFYUI_MODEL)
    ? state.config.models[COMFYUI_MODEL]
    : undefined;
  if (!model) {
    throw new HttpError(404, `local model ${COMFYUI_MODEL} not found`);
  }
  c.set("model", COMFYUI_MODEL);
  assertModelAllowed(c.get("apiKey"), COMFYUI_MODEL);

  const raw = rawPathAndQuery(c.req.raw.url);
  const rest = raw.path.slice(PREFIX.length);
  assertSafeSubPath(rest);
  const path = collapseSlashes(rest);
  const ready = state.processes.get(COMFYUI_MODEL)?.state === "ready";
  if (path !== "/" && !ready) {
    throw new HttpError(
      409,
      `model ${COMFYUI_MODEL} is not loaded; only /comfyui/ can start it`,
    );
  }

  const target = {
    kind: "local",
    requested: COMFYUI_MODEL,
    id: COMFYUI_MODEL,
    model,
  } as const;
  return await forwardRaw(c, ctx, {
    target,
    path,
    query: raw.query,
    observer: noopObserver,
  });
}
