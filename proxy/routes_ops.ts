import type { Hono } from "hono";
import type { Clock } from "../lib/mod.ts";
import type { ActiveProfile } from "./active_profile.ts";
import type { ProxyEnv, ProxyState, VersionInfo } from "./deps.ts";
import { HttpError } from "./errors.ts";
import type { MethodGuard } from "./method_guard.ts";
import { listModels } from "./models_list.ts";
import { resolveModel } from "./resolve_model.ts";

/**
 * Mounts llama-swap's own routes: model listing, running models, unload,
 * health, version and the root redirects (reference §1.2 and §7).
 */
export function opsRoutes(
  app: Hono<ProxyEnv>,
  guard: MethodGuard,
  options: { clock: Clock; version: VersionInfo; profiles: ActiveProfile },
): void {
  for (const path of ["/v1/models", "/models"]) {
    app.get(path, (c) => {
      const origin = c.req.header("origin");
      if (origin) c.header("Access-Control-Allow-Origin", origin);
      const config = c.get("state").config;
      const data = listModels({
        config,
        processes: c.get("state").processes,
        profile: options.profiles.current(config),
        created: Math.floor(options.clock.now() / 1000),
        apiKey: c.get("apiKey"),
      });
      return c.json({ object: "list", data });
    });
    guard.allow(path, "GET");
  }

  app.get("/running", (c) => c.json({ running: running(c.get("state")) }));
  guard.allow("/running", "GET");

  app.get("/unload", async (c) => {
    await c.get("state").router.unload();
    return c.text("OK");
  });
  guard.allow("/unload", "GET");

  app.post("/api/models/unload", async (c) => {
    await c.get("state").router.unload();
    return c.json({ msg: "ok" });
  });
  guard.allow("/api/models/unload", "POST");

  app.post("/api/models/unload/:model{.+}", async (c) => {
    const state = c.get("state");
    const name = c.req.param("model").replace(/^\/+/, "");
    // Only local models and their aliases: a peer's model is not found.
    const target = resolveModel(state.config, name);
    if (target?.kind !== "local") throw new HttpError(404, "model not found");
    await state.router.unload([target.id]);
    return c.text("OK");
  });
  guard.allow("/api/models/unload/:model{.+}", "POST");

  for (const path of ["/health", "/wol-health"]) {
    app.get(path, (c) => c.text("OK"));
    guard.allow(path, "GET");
  }

  app.get("/", (c) => c.redirect("/ui", 302));
  guard.allow("/", "GET");
  app.get("/upstream", (c) => c.redirect("/ui/models", 302));
  guard.allow("/upstream", "GET");

  app.get("/api/version", (c) =>
    c.json({
      version: options.version.version,
      commit: options.version.commit,
      build_date: options.version.buildDate,
    }));
  guard.allow("/api/version", "GET");
}

/** `GET /running`: local processes that are not stopped, sorted by ID. */
function running(state: ProxyState): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  const ids = [...state.processes.keys()].sort();
  for (const id of ids) {
    const process = state.processes.get(id)!;
    const model = state.config.models[id];
    if (!model || process.state === "stopped" || process.state === "shutdown") {
      continue;
    }
    out.push({
      model: id,
      state: process.state,
      cmd: model.cmd,
      proxy: model.proxy,
      ttl: model.ttl,
      name: model.name,
      description: model.description,
    });
  }
  return out;
}
