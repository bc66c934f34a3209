import type { MiddlewareHandler } from "hono";
import type { Clock } from "../lib/mod.ts";
import type { Logger } from "../log/mod.ts";
import { clientIp } from "./client_ip.ts";
import type { ProxyEnv } from "./deps.ts";
import {
  onPassThroughEnd,
  passThrough,
  type PassThroughEnd,
} from "./pass_through.ts";
import { wholeBodySize } from "./whole_body.ts";

/**
 * Polled often and never interesting, so never logged (llama-swap's list:
 * `/health` itself is logged).
 */
const QUIET_PREFIXES = [
  "/wol-health",
  "/api/performance",
  "/metrics",
];

/**
 * Writes one info line per request once its response has been sent (for
 * a stream, when the stream ends or the client leaves):
 * `POST /v1/chat/completions status=200 bytes=5123 duration=2.31s ip=...`
 * with the model when a route resolved one. A relayed body read whole is
 * counted as it is, and its line written when the response is handed
 * over; a relayed stream already counts its bytes, and the line waits for
 * its end; any other body is wrapped to count them. Wake-on-LAN health
 * checks and metrics scrapes are skipped, and so is everything (the body
 * is left unwrapped) while the log level hides info lines.
 */
export function accessLog(
  logger: Logger,
  clock: Clock,
): MiddlewareHandler<ProxyEnv> {
  return async (c, next) => {
    const started = clock.now();
    await next();
    if (!logger.enabled("info")) return;

    const path = c.req.path;
    if (QUIET_PREFIXES.some((prefix) => path.startsWith(prefix))) return;

    const method = c.req.method;
    const res = c.res;
    const write = (bytes: number, note?: string) => {
      logger.info(`${method} ${path}`, {
        status: res.status,
        bytes,
        duration: formatDuration(clock.now() - started),
        ip: clientIp(c.req.raw.headers, c.env?.remoteAddr) ?? undefined,
        model: c.get("model"),
        agent: c.req.header("user-agent"),
        note,
      });
    };

    // Before reading `res.body`, which would turn a body held in memory
    // into a stream and cost Deno its one-write fast path.
    const whole = wholeBodySize(res);
    if (whole !== null) {
      write(method === "HEAD" ? 0 : whole);
      return;
    }
    if (!res.body || method === "HEAD") {
      write(0);
      return;
    }
    const note = ({ error, cancelled }: PassThroughEnd) =>
      cancelled ? "client left" : error ? "stream failed" : undefined;
    const writeEnd = (end: PassThroughEnd) => write(end.bytes, note(end));
    // A relayed body is wrapped already: share its wrapper.
    if (onPassThroughEnd(res.body, writeEnd)) return;
    const body = passThrough(res.body, { end: writeEnd });
    c.res = new Response(body, res);
  };
}

/** `0.4ms`, `215ms`, `2.31s`, `95.2s`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Number(ms.toFixed(ms < 10 ? 1 : 0))}ms`;
  return `${Number((ms / 1000).toFixed(2))}s`;
}
