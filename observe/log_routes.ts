import type { Context, Hono } from "hono";
import type { Config } from "../config/types.ts";
import type { LogBuffer, LogHub } from "../log/mod.ts";
import { HttpError, type ProxyEnv } from "../proxy/mod.ts";
import { LogStream } from "./log_stream.ts";
import type { OpenStreams } from "./open_streams.ts";

/** Response headers of `GET /logs/stream[/<id>]`. */
export const LOG_STREAM_HEADERS: Readonly<Record<string, string>> = {
  "Content-Type": "text/plain; charset=utf-8",
  "X-Content-Type-Options": "nosniff",
  "X-Accel-Buffering": "no",
};

const STREAM_PREFIX = "/logs/stream";

export interface LogRouteDeps {
  readonly logs: LogHub;
  /** Where live streams are tracked so a shutdown can end them. */
  readonly streams: OpenStreams;
}

/**
 * Mounts `GET /logs` (the combined history as text; browsers asking for
 * HTML are sent to `/ui/`) and `GET /logs/stream[/<id>]` (history, unless
 * the query has `no-history`, then live output until the client leaves or
 * the server closes streams). `<id>` is empty for the combined log,
 * `proxy`, `upstream`, or a local model ID or alias, slashes allowed.
 */
export function mountLogRoutes(app: Hono<ProxyEnv>, deps: LogRouteDeps): void {
  app.get("/logs", (c) => {
    if ((c.req.header("accept") ?? "").includes("text/html")) {
      return c.redirect("/ui/", 302);
    }
    return new Response(deps.logs.combined.text(), {
      headers: { "Content-Type": "text/plain; charset=utf-8" },
    });
  });

  const stream = (c: Context<ProxyEnv>) => {
    const url = new URL(c.req.url);
    const id = streamId(url.pathname);
    const buffer = id === null
      ? null
      : logBufferFor(id, c.get("state").config, deps.logs);
    if (!buffer) {
      throw new HttpError(
        400,
        "invalid logger. Use 'proxy', 'upstream' or a model's ID",
      );
    }
    if (c.req.method === "HEAD") {
      return new Response(null, { headers: LOG_STREAM_HEADERS });
    }

    const logStream = new LogStream(buffer, {
      history: !url.searchParams.has("no-history"),
    });
    deps.streams.add(logStream);
    return new Response(logStream.body, { headers: LOG_STREAM_HEADERS });
  };
  app.get(STREAM_PREFIX, stream);
  app.get(`${STREAM_PREFIX}/*`, stream);
}

/** The decoded `<id>` after `/logs/stream/`; null when it is malformed. */
function streamId(pathname: string): string | null {
  const rest = pathname.slice(STREAM_PREFIX.length).replace(/^\//, "");
  try {
    return decodeURIComponent(rest);
  } catch {
    return null; // a broken percent escape names no logger
  }
}

/**
 * The buffer a stream `id` names: "" the combined log, `proxy`,
 * `upstream`, or the own log of a local model named by ID or alias. Null
 * for anything else, peer models included (their logs live elsewhere).
 */
export function logBufferFor(
  id: string,
  config: Config,
  logs: LogHub,
): LogBuffer | null {
  if (id === "") return logs.combined;
  if (id === "proxy") return logs.proxy;
  if (id === "upstream") return logs.upstream;
  const model = Object.hasOwn(config.models, id)
    ? id
    : Object.hasOwn(config.aliases, id)
    ? config.aliases[id]!
    : null;
  return model === null ? null : logs.model(model);
}
