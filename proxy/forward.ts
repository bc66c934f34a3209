import type { Clock } from "../lib/mod.ts";
import { HttpError } from "./errors.ts";

/**
 * Hop-by-hop headers (RFC 9110 §7.6.1): they describe one connection, so a
 * proxy never passes them on, in either direction. Headers named in
 * `Connection` are hop-by-hop too.
 */
const HOP_BY_HOP = [
  "connection",
  "keep-alive",
  "proxy-connection",
  "proxy-authenticate",
  "proxy-authorization",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
];

/** Client credentials for llama-swap itself; they never go upstream. */
const CLIENT_KEY_HEADERS = ["authorization", "x-api-key"];

const FORWARDED_HEADERS = [
  "x-forwarded-for",
  "x-forwarded-host",
  "x-forwarded-proto",
];

/** Who receives the request, which decides the identity headers. */
export type UpstreamKind =
  | {
    readonly kind: "local";
    /** Appended to `X-Forwarded-For`; null when unknown. */
    readonly clientIp: string | null;
    /** The client's `Host`, sent as `X-Forwarded-Host`. */
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
 * (fetch sets the last two: the host from the URL, the length from the
 * body). Deno's fetch ignores a `Host` header anyway, so upstreams see
 * their own host and the client's goes in `X-Forwarded-Host`.
 *
 * Local models get `X-Forwarded-For` (appended), `-Host` and `-Proto`.
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
  const headers = withoutHopByHop(incoming);
  // `Expect: 100-continue` was for us: the body is already read.
  for (
    const name of [...CLIENT_KEY_HEADERS, "host", "content-length", "expect"]
  ) {
    headers.delete(name);
  }
  if (contentType !== null) headers.set("content-type", contentType);
  headers.set("accept-encoding", "identity");

  if (upstream.kind === "local") {
    const previous = headers.get("x-forwarded-for");
    if (upstream.clientIp !== null) {
      headers.set(
        "x-forwarded-for",
        previous ? `${previous}, ${upstream.clientIp}` : upstream.clientIp,
      );
    }
    headers.set("x-forwarded-host", upstream.host);
    headers.set("x-forwarded-proto", upstream.proto);
  } else {
    for (const name of FORWARDED_HEADERS) headers.delete(name);
    if (upstream.apiKey !== "") {
      headers.set("authorization", `Bearer ${upstream.apiKey}`);
      headers.set("x-api-key", upstream.apiKey);
    }
  }
  return headers;
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
  const headers = new Headers(source);
  const named = (source.get("connection") ?? "").split(",");
  for (const name of [...HOP_BY_HOP, ...named]) {
    const trimmed = name.trim();
    if (trimmed !== "") headers.delete(trimmed);
  }
  return headers;
}

export interface ForwardOptions {
  readonly url: string;
  readonly method: string;
  readonly headers: Headers;
  readonly body: Uint8Array<ArrayBuffer> | null;
  /** Aborts the upstream request: the client left or a UI cancel. */
  readonly signal: AbortSignal;
  /** Give up when no response headers arrive in time; 0 = wait forever. */
  readonly headerTimeoutMs: number;
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
 * reason (the caller knows the client is gone). Fetch offers no hook for
 * the connect phase alone, so `timeouts.connect` is not applied here; a
 * refused loopback connection fails at once anyway.
 */
export async function forward(
  fetchFn: typeof fetch,
  options: ForwardOptions,
): Promise<Response> {
  const timeout = new AbortController();
  const cancelTimer = options.headerTimeoutMs > 0
    ? options.clock.setTimer(() => timeout.abort(), options.headerTimeoutMs)
    : () => {};
  const signal = AbortSignal.any([options.signal, timeout.signal]);

  try {
    return await fetchFn(options.url, {
      method: options.method,
      headers: options.headers,
      body: options.body,
      redirect: "manual",
      signal,
    });
  } catch (error) {
    if (options.signal.aborted) throw options.signal.reason;
    if (timeout.signal.aborted) {
      const seconds = options.headerTimeoutMs / 1000;
      throw new HttpError(
        504,
        `${options.failurePrefix}: no response headers within ${seconds}s`,
        { cause: error },
      );
    }
    const detail = error instanceof Error ? error.message : String(error);
    throw new HttpError(502, `${options.failurePrefix}: ${detail}`, {
      cause: error,
    });
  } finally {
    cancelTimer();
  }
}
