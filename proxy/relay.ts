import { abortAccount, Cancelled, type Clock, errorText } from "../lib/mod.ts";
import type { ClientInfo } from "./client_ip.ts";
import { HttpError } from "./errors.ts";
import type { OutgoingBody } from "./filters.ts";
import {
  downstreamHeaders,
  forward,
  upstreamHeaderList,
  type UpstreamKind,
} from "./forward.ts";
import type { RequestObservation } from "./observer.ts";
import { brokenOff, passThrough } from "./pass_through.ts";
import type { UpstreamResponse, UpstreamSend } from "./upstream_response.ts";
import { joinUpstreamUrl } from "./upstream_url.ts";
import { wholeBodyResponse } from "./whole_body.ts";

/** A request ready to go upstream, whoever serves it. */
export interface UpstreamCall {
  readonly method: string;
  /** The raw path the upstream sees, starting with `/`. */
  readonly path: string;
  /** The raw query string including `?`, or "". */
  readonly query: string;
  /** The client's request headers. */
  readonly headers: Headers;
  readonly body: OutgoingBody;
  readonly streaming: boolean;
  /** Who asked, for the `X-Forwarded-*` headers local models get. */
  readonly client: ClientInfo;
  /** Aborts when the client leaves or an observer cancels the request. */
  readonly signal: AbortSignal;
  readonly observation: RequestObservation;
}

/** Where an upstream lives and how to talk to it. */
export interface UpstreamTarget {
  readonly baseUrl: string;
  /** A peer's own API key ("" for none); null for a local model. */
  readonly peerApiKey: string | null;
  /** 0 = wait for response headers as long as it takes. */
  readonly headerTimeoutMs: number;
  /** `timeouts.connect` in ms; 0 = as long as the system tries. */
  readonly connectTimeoutMs: number;
  /** `timeouts.tlsHandshake` in ms; 0 = wait for it. */
  readonly tlsHandshakeMs: number;
  /** `timeouts.idleConn` in ms: how long a kept connection may idle. */
  readonly idleConnMs: number;
  /** Prefix of 502 messages: `upstream connection failed` or `peer proxy error`. */
  readonly failurePrefix: string;
}

/**
 * Sends the call upstream and resolves with the upstream's response
 * (headers in, body unread). On any failure `release` is called before
 * the `HttpError` is thrown: 502/504 from `forward()`, 499 when the
 * client left.
 */
export async function openUpstream(
  call: UpstreamCall,
  target: UpstreamTarget,
  deps: { send: UpstreamSend; clock: Clock },
  release: () => void,
): Promise<UpstreamResponse> {
  const url = joinUpstreamUrl(target.baseUrl, call.path, call.query);
  const kind: UpstreamKind = target.peerApiKey === null
    ? {
      kind: "local",
      clientIp: call.client.peer,
      host: call.client.host,
      proto: call.client.proto,
    }
    : { kind: "peer", apiKey: target.peerApiKey };
  const headers = upstreamHeaderList(
    call.headers,
    kind,
    call.body.contentType,
  );
  try {
    return relayable(
      await forward(deps.send, {
        url,
        method: call.method,
        headers,
        body: call.body.bytes,
        signal: call.signal,
        headerTimeoutMs: target.headerTimeoutMs,
        connectTimeoutMs: target.connectTimeoutMs,
        tlsHandshakeMs: target.tlsHandshakeMs,
        idleConnMs: target.idleConnMs,
        failurePrefix: target.failurePrefix,
        clock: deps.clock,
      }),
      target.failurePrefix,
    );
  } catch (error) {
    release();
    throw asHttpError(error, call.signal);
  }
}

/**
 * `upstream` when its status can go to the client, else a 502 (its body
 * cancelled): a 101 to a request that asked for no upgrade, as Go's proxy
 * refuses it, and a status above 599, which Go passes on but Deno's
 * `Response` cannot carry.
 */
function relayable(
  upstream: UpstreamResponse,
  failurePrefix: string,
): UpstreamResponse {
  const status = upstream.status;
  if (status >= 200 && status <= 599) return upstream;
  void upstream.cancel();
  throw new HttpError(
    502,
    status === 101
      ? `${failurePrefix}: the upstream switched protocols on a request that asked for no upgrade`
      : `${failurePrefix}: the upstream answered with status ${status}, which cannot be relayed`,
  );
}

/** Statuses whose responses never have a body. */
const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);

/**
 * Largest declared upstream body read whole before the client's response
 * starts (256 KiB): non-streamed chat, completion and embedding answers.
 */
export const WHOLE_BODY_LIMIT = 256 * 1024;

/**
 * The client's response for an upstream response: same status, headers
 * minus hop-by-hop ones, the body passed on untouched. `release` and the
 * observation's `finished` run exactly once: when the body ends, fails or
 * is cancelled, or at once when the client's signal aborts.
 *
 * A body that is not an event stream and declares a `Content-Length` of
 * at most `WHOLE_BODY_LIMIT` is read whole first (the observer gets it as
 * one chunk, and the request is finished before the client's response is
 * returned); Deno then sends it in one write, far cheaper than relaying a
 * stream. Any other body streams through chunk by chunk.
 */
export async function relayResponse(
  upstream: UpstreamResponse,
  call: UpstreamCall,
  release: () => void,
): Promise<Response> {
  const headers = downstreamHeaders(upstream.headers);
  // No status text: Deno's server sends the standard one anyway, and an
  // odd reason phrase from the upstream would make `Response` throw.
  const init = { status: upstream.status, headers };
  if (readsWhole(upstream, call.method)) {
    return await relayWhole(upstream, call, release, init);
  }
  return new Response(relayBody(upstream, call, release, headers), init);
}

/** True for a small declared body that nobody needs chunk by chunk. */
function readsWhole(upstream: UpstreamResponse, method: string): boolean {
  if (!upstream.hasBody || method === "HEAD") return false;
  if (NULL_BODY_STATUSES.has(upstream.status)) return false;
  const length = upstream.headers.get("content-length");
  if (length === null || !/^\d+$/.test(length)) return false;
  const type = upstream.headers.get("content-type") ?? "";
  return Number(length) <= WHOLE_BODY_LIMIT &&
    !type.includes("text/event-stream");
}

/**
 * `relayResponse()` for a body read whole. A read that fails (the upstream
 * broke off, the client left) is finished with its reason, and the client
 * gets the status and headers and then a broken body, as a failing stream
 * would have given it.
 */
async function relayWhole(
  upstream: UpstreamResponse,
  call: UpstreamCall,
  release: () => void,
  init: { status: number; headers: Headers },
): Promise<Response> {
  const { observation, signal } = call;
  observation.responseStarted(init.status, init.headers);

  let bytes: Uint8Array<ArrayBuffer>;
  try {
    bytes = await upstream.bytes();
  } catch (error) {
    release();
    observation.finished({
      status: init.status,
      error: signal.aborted
        ? abortAccount(signal)
        : `upstream stream failed: ${errorText(error)}`,
    });
    const broken = new ReadableStream({
      start: (c) => c.error(brokenOff(error)),
    });
    return new Response(broken, init);
  }

  if (bytes.byteLength > 0) observation.chunk(bytes);
  release();
  observation.finished({ status: init.status });
  return wholeBodyResponse(bytes, init);
}

/**
 * The upstream body wrapped for observation and release (see
 * `relayResponse()`); null when the response has no body, in which case
 * everything is finished already. `headers` are the client's response
 * headers when the caller has them already (the observer sees them).
 */
export function relayBody(
  upstream: UpstreamResponse,
  call: UpstreamCall,
  release: () => void,
  headers: Headers = downstreamHeaders(upstream.headers),
): ReadableStream<Uint8Array> | null {
  const { observation, signal } = call;
  const status = upstream.status;
  observation.responseStarted(status, headers);

  let done = false;
  const finish = (error?: string) => {
    if (done) return;
    done = true;
    signal.removeEventListener("abort", onAbort);
    release();
    observation.finished(error === undefined ? { status } : { status, error });
  };
  const onAbort = () => finish(abortAccount(signal));

  // A HEAD answer never has a body, and Hono drops whatever it is given.
  const bodiless = call.method === "HEAD" || NULL_BODY_STATUSES.has(status);
  if (!upstream.hasBody || bodiless) {
    if (upstream.hasBody) void upstream.cancel();
    finish();
    return null;
  }
  if (signal.aborted) {
    finish(abortAccount(signal));
  } else {
    signal.addEventListener("abort", onAbort, { once: true });
  }
  return passThrough(upstream.reader(), {
    chunk: (bytes) => observation.chunk(bytes),
    end: ({ error, cancelled }) =>
      finish(
        cancelled
          ? abortAccount(signal)
          : error === undefined
          ? undefined
          : `upstream stream failed: ${errorText(error)}`,
      ),
  });
}

/**
 * The message and status of an upstream error answer (status >= 400),
 * reading at most 64 KiB of its body: the OpenAI-style `error.message`,
 * a string `error` or `message`, else the text itself.
 */
export async function upstreamFailure(
  upstream: UpstreamResponse,
): Promise<HttpError> {
  const text = (await readPrefix(upstream, 64 * 1024)).trim();
  let message = text;
  try {
    const parsed = JSON.parse(text) as Record<string, unknown>;
    const error = parsed["error"];
    const nested = typeof error === "object" && error !== null
      ? (error as Record<string, unknown>)["message"]
      : undefined;
    const found = [nested, error, parsed["message"]].find((value) =>
      typeof value === "string" && value !== ""
    );
    if (typeof found === "string") message = found;
  } catch {
    // not JSON: the text itself is the message
  }
  return new HttpError(
    upstream.status,
    message || `upstream answered ${upstream.status}`,
  );
}

async function readPrefix(
  response: UpstreamResponse,
  limit: number,
): Promise<string> {
  if (!response.hasBody) return "";
  const reader = response.reader();
  const decoder = new TextDecoder();
  let text = "";
  try {
    while (text.length < limit) {
      const chunk = await reader.read();
      if (chunk === null) break;
      text += decoder.decode(chunk, { stream: true });
    }
  } catch (error) {
    text += ` (body unreadable: ${errorText(error)})`;
  } finally {
    await reader.cancel().catch(() => undefined); // the body is not needed
  }
  return text.slice(0, limit);
}

/** Any failure as an `HttpError`; 499 when the client has left. */
export function asHttpError(error: unknown, signal: AbortSignal): HttpError {
  if (error instanceof HttpError) return error;
  if (signal.aborted) {
    const reason: unknown = signal.reason;
    const message = reason instanceof Cancelled
      ? reason.message
      : "client closed request";
    return new HttpError(499, message, { cause: error });
  }
  return new HttpError(500, `unspecific error: ${errorText(error)}`, {
    cause: error,
  });
}
