import { errorText } from "../lib/mod.ts";
import type { Clock } from "../lib/mod.ts";
import { HttpError } from "./errors.ts";
import type { UpstreamResponse, UpstreamSend } from "./upstream_response.ts";

/**
 * Hop-by-hop headers (RFC 9110 §7.6.1): they describe one connection, so a
 * proxy never passes them on, in either direction. Headers named in
 * `Connection` are hop-by-hop too.
 */
const HOP_BY_HOP: ReadonlySet<string> = new Set([
  "connection",
  "keep-alive",
  "proxy-connection",
  "proxy-authenticate",
  "proxy-authorization",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
]);

/**
 * Client headers never copied upstream: the hop-by-hop ones; the client's
 * API key headers (credentials for llama-swap itself); `Content-Length`
 * (the sender sets it); `Expect` (`100-continue` was for us: the body is
 * already read); and those `upstreamHeaderList()` sets itself (`Host` for
 * local models, `Accept-Encoding`, the `X-Forwarded-*` trio).
 */
const NOT_COPIED_UPSTREAM: ReadonlySet<string> = new Set([
  ...HOP_BY_HOP,
  "authorization",
  "x-api-key",
  "host",
  "content-length",
  "expect",
  "accept-encoding",
  "x-forwarded-for",
  "x-forwarded-host",
  "x-forwarded-proto",
]);

/** Who receives the request, which decides the identity headers. */
export type UpstreamKind =
  | {
    readonly kind: "local";
    /** The socket peer, appended to `X-Forwarded-For`; null when unknown. */
    readonly clientIp: string | null;
    /** The client's `Host`, sent as `Host` and `X-Forwarded-Host`. */
    readonly host: string;
    /** `http` or `https`, sent as `X-Forwarded-Proto`. */
    readonly proto: string;
  }
  | {
    readonly kind: "peer";
    /** The peer's own key; "" sends no credentials at all. */
    readonly apiKey: string;
  };

/**
 * The headers to send upstream: the client's, minus hop-by-hop headers,
 * the client's API key headers, `Expect`, `Host` and `Content-Length`
 * (the sender sets the length from the body).
 *
 * Local models get the client's `Host`, as llama-swap passes it (a server
 * that compares `Origin` with `Host`, such as ComfyUI's, then accepts a
 * browser's requests through the proxy), and `X-Forwarded-For`
 * (appended), `-Host` and `-Proto`. A peer's `Host` is its own.
 * Peers get none of those (a remote service learns nothing about the
 * client) but their own key as `Authorization: Bearer` and `x-api-key`.
 * `Accept-Encoding: identity` asks every upstream for an uncompressed body:
 * Deno's fetch would otherwise decompress it while we pass the upstream's
 * `Content-Encoding` through, so the client would get mislabelled bytes.
 */
export function upstreamHeaders(
  incoming: Headers,
  upstream: UpstreamKind,
  contentType: string | null,
): Headers {
  return new Headers(upstreamHeaderList(incoming, upstream, contentType));
}

/**
 * `upstreamHeaders()` as a list of name and value pairs, which `fetch`
 * takes for several microseconds less than a `Headers` object (Deno
 * converts that through its slow iterator).
 */
export function upstreamHeaderList(
  incoming: Headers,
  upstream: UpstreamKind,
  contentType: string | null,
): [string, string][] {
  const named = incoming.get("connection");
  const alsoDropped = named === null ? null : connectionNames(named);
  const list: [string, string][] = [];
  let forwardedFor: string | null = null;
  incoming.forEach((value, name) => {
    if (alsoDropped?.has(name)) return;
    if (name === "x-forwarded-for") forwardedFor = value;
    if (NOT_COPIED_UPSTREAM.has(name)) return;
    if (name === "content-type" && contentType !== null) return;
    list.push([name, value]);
  });
  if (contentType !== null) list.push(["content-type", contentType]);
  list.push(["accept-encoding", "identity"]);

  if (upstream.kind === "local") {
    const ip = upstream.clientIp;
    const chain = ip === null
      ? forwardedFor
      : forwardedFor
      ? `${forwardedFor}, ${ip}`
      : ip;
    if (chain !== null) list.push(["x-forwarded-for", chain]);
    list.push(["host", upstream.host]);
    list.push(["x-forwarded-host", upstream.host]);
    list.push(["x-forwarded-proto", upstream.proto]);
  } else if (upstream.apiKey !== "") {
    list.push(["authorization", `Bearer ${upstream.apiKey}`]);
    list.push(["x-api-key", upstream.apiKey]);
  }
  return list;
}

/**
 * The upstream's response headers as the client gets them: hop-by-hop
 * headers dropped, `X-Accel-Buffering: no` added to event streams so
 * nginx-style buffers in front of us do not hold SSE chunks back.
 */
export function downstreamHeaders(upstream: Headers): Headers {
  const headers = withoutHopByHop(upstream);
  const type = headers.get("content-type") ?? "";
  if (type.includes("text/event-stream")) {
    headers.set("x-accel-buffering", "no");
  }
  return headers;
}

/** Copies `source` without the hop-by-hop headers. */
export function withoutHopByHop(source: Headers): Headers {
  return copyHeaders(source, HOP_BY_HOP);
}

/**
 * Copies `source` without the headers in `dropped` and those its
 * `Connection` header names. Walks it with `forEach`, which Deno runs
 * several times faster than the iterator `new Headers(source)` uses.
 */
function copyHeaders(source: Headers, dropped: ReadonlySet<string>): Headers {
  const named = source.get("connection");
  const alsoDropped = named === null ? null : connectionNames(named);
  const headers = new Headers();
  source.forEach((value, name) => {
    if (dropped.has(name) || alsoDropped?.has(name)) return;
    headers.append(name, value);
  });
  return headers;
}

/** The header names a `Connection` value lists, lower case. */
function connectionNames(value: string): Set<string> {
  const names = new Set<string>();
  for (const name of value.split(",")) {
    const trimmed = name.trim().toLowerCase();
    if (trimmed !== "") names.add(trimmed);
  }
  return names;
}

export interface ForwardOptions {
  readonly url: string;
  readonly method: string;
  readonly headers: readonly [string, string][];
  readonly body: Uint8Array<ArrayBuffer> | null;
  /** Aborts the upstream request: the client left or a UI cancel. */
  readonly signal: AbortSignal;
  /** Give up when no response headers arrive in time; 0 = wait forever. */
  readonly headerTimeoutMs: number;
  /** Give up when no connection is made in time; 0 = as the system does. */
  readonly connectTimeoutMs: number;
  /** Give up when a TLS handshake takes longer; 0 = wait for it. */
  readonly tlsHandshakeMs: number;
  /** How long the connection may idle for the next request; 0 = forever. */
  readonly idleConnMs: number;
  /** Prefix of the 502 message, e.g. `upstream connection failed`. */
  readonly failurePrefix: string;
  readonly clock: Clock;
}

/**
 * Sends one request upstream and resolves with its response once the
 * headers arrive; the body is left unread for the caller to stream.
 *
 * Rejects with `HttpError` 502 when the upstream cannot be reached and 504
 * when the header timeout passes. When `signal` aborts, rejects with its
 * reason (the caller knows the client is gone). `connectTimeoutMs` and
 * `tlsHandshakeMs` are passed to `send`: `Http1Pool` applies them (a 502
 * saying no connection or no handshake was made in time), `fetch` cannot.
 */
export async function forward(
  send: UpstreamSend,
  options: ForwardOptions,
): Promise<UpstreamResponse> {
  const timeout = options.headerTimeoutMs > 0
    ? headerTimeout(options.signal, options.headerTimeoutMs, options.clock)
    : null;

  try {
    return await send(options.url, {
      method: options.method,
      headers: options.headers,
      body: options.body,
      signal: timeout?.signal ?? options.signal,
      connectTimeoutMs: options.connectTimeoutMs,
      tlsHandshakeMs: options.tlsHandshakeMs,
      idleConnMs: options.idleConnMs,
    });
  } catch (error) {
    if (options.signal.aborted) throw options.signal.reason;
    if (timeout?.expired) {
      const seconds = options.headerTimeoutMs / 1000;
      throw new HttpError(
        504,
        `${options.failurePrefix}: no response headers within ${seconds}s`,
        { cause: error },
      );
    }
    const detail = errorText(error);
    throw new HttpError(502, `${options.failurePrefix}: ${detail}`, {
      cause: error,
    });
  } finally {
    timeout?.stopTimer();
  }
}

/**
 * A signal that aborts with `signal` or once `ms` pass, whichever is
 * first. One controller and one listener: cheaper than `AbortSignal.any()`
 * on every request. Once the headers are in, only the timer stops: the
 * body is read under this signal too, so it keeps following `signal` (a
 * client that leaves mid-body still cancels the upstream request).
 */
function headerTimeout(signal: AbortSignal, ms: number, clock: Clock) {
  const controller = new AbortController();
  const follow = () => controller.abort(signal.reason);
  const state = {
    signal: controller.signal,
    expired: false,
    stopTimer: () => cancelTimer(),
  };
  const cancelTimer = clock.setTimer(() => {
    state.expired = true;
    controller.abort(new DOMException("no response headers", "TimeoutError"));
  }, ms);
  if (signal.aborted) follow();
  else signal.addEventListener("abort", follow, { once: true });
  return state;
}
