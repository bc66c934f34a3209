/** Routes for tests and tools: `/debug/echo` and `/debug/slow`. */
import { type Clock, delay } from "../lib/mod.ts";
import type { Logger } from "../log/mod.ts";
import { badRequest, json, type RouteHandler } from "./http.ts";
import type { RequestCounters } from "./request_counters.ts";

/**
 * Any method on `/debug/echo` and below: `{method, path, query, headers,
 * body}` exactly as the request arrived (path still percent-encoded, query
 * without its `?`, header names in lower case, body as text).
 */
export async function echoRoute(request: Request): Promise<Response> {
  const url = new URL(request.url);
  return json({
    method: request.method,
    path: url.pathname,
    query: url.search.replace(/^\?/, ""),
    headers: Object.fromEntries(request.headers),
    body: await request.text(),
  });
}

/**
 * `GET /debug/slow?ms=N`: answers `{"slept_ms":N}` after N ms, holding a
 * request in flight; stops at once, counted as cancelled, when the client
 * leaves first.
 */
export function slowRoute(context: {
  clock: Clock;
  counters: RequestCounters;
  requestLog: Logger;
}): RouteHandler {
  const { clock, counters, requestLog } = context;
  return async (request) => {
    const url = new URL(request.url);
    const text = url.searchParams.get("ms") ?? "0";
    const ms = Number(text);
    if (text.trim() === "" || !Number.isFinite(ms) || ms < 0) {
      return badRequest(
        `Cannot wait: "ms" must be a number of at least 0, got "${text}"`,
      );
    }

    counters.active++;
    try {
      await delay(ms, { clock, signal: request.signal });
    } catch (error) {
      if (!request.signal.aborted) throw error;
      counters.cancelled++;
      requestLog.info("request cancelled", {
        method: request.method,
        path: url.pathname,
        model: "-",
        requested_ms: ms,
      });
      return new Response(null, { status: 499 });
    } finally {
      counters.active--;
    }
    return json({ slept_ms: ms });
  };
}
