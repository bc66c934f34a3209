import type { Context, Hono } from "hono";
import type { Config } from "../config/types.ts";
import type { ActiveProfile } from "./active_profile.ts";
import type { ProxyEnv } from "./deps.ts";
import { HttpError } from "./errors.ts";
import type { MethodGuard } from "./method_guard.ts";

/** One profile as `GET /api/profiles` shows it. */
interface ProfileView {
  readonly name: string;
  readonly description: string;
  /** Requested name -> target; "" for a disabled name. */
  readonly pins: Readonly<Record<string, string>>;
}

/**
 * Mounts `GET /api/profiles` (`{active, profiles}`, profiles sorted by
 * name) and `PUT /api/profiles/active` with `{"name": "<profile>"}` to
 * activate one or `{"name": null}` (or "") for none, answering with the
 * same document. A malformed request is a 400, an unknown profile a 404
 * that changes nothing.
 */
export function profileRoutes(
  app: Hono<ProxyEnv>,
  guard: MethodGuard,
  profiles: ActiveProfile,
): void {
  app.get("/api/profiles", (c) => c.json(document(c, profiles)));
  guard.allow("/api/profiles", "GET");

  app.put("/api/profiles/active", async (c) => {
    const name = wantedProfile(await c.req.text());
    if (!profiles.select(c.get("state").config, name)) {
      throw new HttpError(404, `profile "${name}" not found`);
    }
    return c.json(document(c, profiles));
  });
  guard.allow("/api/profiles/active", "PUT");
}

function document(c: Context<ProxyEnv>, profiles: ActiveProfile) {
  const config: Config = c.get("state").config;
  const views: ProfileView[] = Object.values(config.profiles)
    .map((profile) => ({
      name: profile.name,
      description: profile.description,
      pins: { ...profile.pins },
    }))
    .sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  return { active: profiles.current(config)?.name ?? null, profiles: views };
}

/** The name a `PUT /api/profiles/active` body asks for; null for none. */
function wantedProfile(text: string): string | null {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    throw new HttpError(400, "invalid profile request", { cause: error });
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new HttpError(400, "invalid profile request");
  }
  if (!Object.hasOwn(body, "name")) {
    throw new HttpError(400, "profile name is required");
  }
  const name = (body as Record<string, unknown>)["name"];
  if (name !== null && typeof name !== "string") {
    throw new HttpError(400, "profile name must be a string or null");
  }
  return name === "" ? null : name;
}
