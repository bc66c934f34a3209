import { type ChunkReader, chunkReader } from "../lib/mod.ts";

/**
 * An upstream's answer once its headers are in, the body still unread.
 * Read the body once: either `reader()` or `bytes()`; `cancel()` gives it
 * up (and closes the connection it was coming over).
 */
export interface UpstreamResponse {
  readonly status: number;
  readonly statusText: string;
  /** As the upstream sent them, hop-by-hop ones included. */
  readonly headers: Headers;
  /** False when the answer carries no body at all. */
  readonly hasBody: boolean;
  /** The body chunk by chunk; each chunk is the caller's to keep. */
  reader(): ChunkReader;
  /** The whole body. */
  bytes(): Promise<Uint8Array<ArrayBuffer>>;
  cancel(reason?: unknown): Promise<void>;
}

/** What `UpstreamSend` sends. */
export interface UpstreamInit {
  readonly method: string;
  readonly headers: readonly [string, string][];
  readonly body: Uint8Array<ArrayBuffer> | null;
  /** Aborting it fails the request, or breaks off the body being read. */
  readonly signal: AbortSignal;
  /**
   * Gives up when no connection is made within this many ms; 0 or absent
   * waits as long as the system does. `fetch` offers no hook for it.
   */
  readonly connectTimeoutMs?: number;
  /**
   * Gives up on an `https://` upstream whose TLS handshake has not
   * finished within this many ms; 0 or absent waits for it.
   */
  readonly tlsHandshakeMs?: number;
  /**
   * How long the connection may idle, kept for the next request, once
   * this one is done; 0 = no limit. `fetch` keeps its own pool.
   */
  readonly idleConnMs?: number;
}

/**
 * Sends one request and resolves once the response headers arrive;
 * rejects when no response comes (refused, reset, aborted).
 */
export type UpstreamSend = (
  url: string,
  init: UpstreamInit,
) => Promise<UpstreamResponse>;

/** `fetch` as an `UpstreamSend`: redirects are passed on, not followed. */
export function sendWithFetch(fetchFn: typeof fetch): UpstreamSend {
  return async (url, init) =>
    fromFetchResponse(
      await fetchFn(url, {
        method: init.method,
        headers: init.headers as [string, string][],
        body: init.body,
        redirect: "manual",
        signal: init.signal,
      }),
    );
}

/**
 * `send` seen as a small `fetch` for requests without a body, such as
 * health probes, so they reach a server the way forwarded requests do (the
 * same pool, timeouts and proxy rules). The body is read whole before the
 * `Response` is handed back, which lets the connection be reused.
 */
export function fetchThrough(send: UpstreamSend): typeof fetch {
  return async (input, init) => {
    const url = input instanceof Request ? input.url : String(input);
    const upstream = await send(url, {
      method: init?.method ?? "GET",
      headers: [],
      body: null,
      signal: init?.signal ?? new AbortController().signal,
    });
    const body = upstream.hasBody ? await upstream.bytes() : null;
    return new Response(body, { status: upstream.status });
  };
}

/** A fetch `Response` seen as an `UpstreamResponse`. */
export function fromFetchResponse(response: Response): UpstreamResponse {
  return {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
    hasBody: response.body !== null,
    reader: () =>
      response.body ? chunkReader(response.body, { byteStream: true }) : {
        read: () => Promise.resolve(null),
        cancel: () => Promise.resolve(),
      },
    bytes: async () => new Uint8Array(await response.arrayBuffer()),
    cancel: async (reason) => {
      await response.body?.cancel(reason);
    },
  };
}
