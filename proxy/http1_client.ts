import {
  type ChunkReader,
  type Clock,
  errorText,
  joinBytes,
  systemClock,
} from "../lib/mod.ts";
import type {
  UpstreamInit,
  UpstreamResponse,
  UpstreamSend,
} from "./upstream_response.ts";
import { dialUpstream } from "./upstream_dial.ts";

/**
 * Most bytes a connection reads at a time (16 KiB). Its buffer starts at
 * `IDLE_READ_BYTES` and doubles while reads keep filling it, so a stream
 * of big chunks is read in big pieces.
 */
const READ_BYTES = 16 * 1024;

/**
 * The buffer of a new or idle connection (2 KiB): room for a head and a
 * small answer. A pool of 1,024 idle connections holds 2 MiB, not 16 MiB.
 */
const IDLE_READ_BYTES = 2 * 1024;

/** Longest response head (status line and headers) accepted: 64 KiB. */
export const MAX_HEAD_BYTES = 64 * 1024;

/** Longest chunk-size or trailer line of a chunked body. */
const MAX_LINE_BYTES = 4096;

/**
 * Idle connections kept per upstream unless told otherwise (1,024): what
 * a burst of that many concurrent streams opened is there for the next
 * one. With a cap of 256, each burst of 1,000 streams closed 744
 * connections at its end and dialled them again at the next, which cost
 * the next burst a tenth of its tokens a second. An idle connection costs
 * a socket and 2 KiB; it is closed after `idleConn`, or at once when the
 * upstream closes it first.
 */
export const DEFAULT_MAX_IDLE = 1024;

/** Request bodies up to this size go out in the same write as the head. */
const JOINED_WRITE_BYTES = 64 * 1024;

export interface Http1PoolOptions {
  /**
   * Idle connections kept per upstream (`DEFAULT_MAX_IDLE`); more are
   * closed.
   */
  readonly maxIdlePerOrigin?: number;
  /**
   * How long a connection may idle in the pool when the request that used
   * it set no `idleConnMs` (90 s, llama-swap's `idleConn`); 0 = no limit.
   */
  readonly idleMs?: number;
  readonly clock?: Clock;
  /**
   * Told the key of an upstream that closed an idle connection (the
   * connection has left the pool by then): `host:port`, and
   * `https://host:port` for a TLS upstream.
   */
  readonly onIdleClosed?: (key: string) => void;
  /**
   * Opens a TCP connection; `Deno.connect` by default (tests pass their
   * own). TLS, for `https://`, goes over what it opens.
   */
  readonly connect?: (
    options: { hostname: string; port: number },
  ) => Promise<Deno.TcpConn>;
  /**
   * Certificates `https://` upstreams are checked against besides Deno's
   * root store (tests pass their own CA; users set `DENO_CERT`).
   */
  readonly caCerts?: readonly string[];
}

/** Where one `http://` or `https://` URL goes. */
interface Target {
  /** `hostname:port` (`https://hostname:port` for TLS), the pool's key. */
  readonly key: string;
  readonly hostname: string;
  readonly port: number;
  /** The `Host` header: the authority as written in the URL. */
  readonly authority: string;
  /** `https://`. */
  readonly secure: boolean;
  /** Path and query. */
  readonly path: string;
}

/**
 * A small HTTP/1.1 client for `http://` and `https://` upstreams, with
 * keep-alive connections pooled per scheme, host and port. It does what
 * the proxy needs and no more: the request goes out in one write as given
 * (no redirects, no decompression, no cookies), the answer's head is
 * parsed in place, and the body is read straight off the socket: by
 * `Content-Length`, chunked, or until the upstream closes. It costs far
 * less per request than `fetch`, whose request and response objects and
 * header conversions dominated the proxy's own CPU time.
 *
 * A request that fails on a reused connection before any byte of the
 * answer came back (the upstream had closed it while idle) is sent again,
 * once, on a new connection, when it never went out whole (an upstream
 * cannot act on part of a request) or may run twice (GET, HEAD, OPTIONS,
 * TRACE, or an idempotency key): a POST the upstream had all of gets the
 * failure, as it would from Go's transport. A body too large for one
 * write goes out while the answer is read. Aborting `init.signal` closes
 * the connection: the upstream sees the client leave at once. New
 * connections have TCP keep-alive on and give up after
 * `init.connectTimeoutMs`; a TLS one (`upstream_dial.ts`) also after
 * `init.tlsHandshakeMs` of handshake.
 *
 * An idle connection keeps a read waiting, so one the upstream closes
 * (llama.cpp's server and uvicorn do after 5 s) leaves the pool at once
 * instead of failing the next request; the others are closed once they
 * have idled `init.idleConnMs`, by a timer that runs while any are kept.
 * `close()` stops it.
 */
export class Http1Pool {
  #idle = new Map<string, Connection[]>();
  #maxIdle: number;
  #idleMs: number;
  #clock: Clock;
  #dial: (options: { hostname: string; port: number }) => Promise<Deno.TcpConn>;
  #caCerts: readonly string[] | undefined;
  #onIdleClosed: (key: string) => void;
  #closed = false;
  /** Cancels the pending sweep of expired idle connections, if any. */
  #cancelSweep: (() => void) | null = null;
  /** When that sweep runs; Infinity when none is due. */
  #sweepAt = Infinity;

  constructor(options: Http1PoolOptions = {}) {
    this.#maxIdle = options.maxIdlePerOrigin ?? DEFAULT_MAX_IDLE;
    this.#idleMs = options.idleMs ?? 90_000;
    this.#clock = options.clock ?? systemClock;
    this.#dial = options.connect ?? ((at) => Deno.connect(at));
    this.#caCerts = options.caCerts;
    this.#onIdleClosed = options.onIdleClosed ?? (() => {});
  }

  /**
   * True for the URLs this client serves: `http://` and `https://`
   * without user info.
   */
  static handles(url: string): boolean {
    const from = authorityStart(url);
    if (from < 0) return false;
    return !url.slice(from, authorityEnd(url, from)).includes("@");
  }

  /**
   * Sends `init` to `url` (which `Http1Pool.handles()`) and resolves with
   * the answer once its head is in. Rejects with the signal's reason when
   * it aborts, otherwise with an `Error` saying what failed.
   */
  async request(url: string, init: UpstreamInit): Promise<UpstreamResponse> {
    const target = parseTarget(url);
    const wire = encodeRequest(init, target);
    for (let fresh = false;; fresh = true) {
      init.signal.throwIfAborted();
      const connection = (fresh ? null : this.#take(target.key)) ??
        await this.#connect(target, init);
      try {
        return await this.#exchange(connection, wire, init);
      } catch (error) {
        connection.destroy();
        if (init.signal.aborted) throw init.signal.reason;
        if (!(error instanceof StaleConnection)) throw error;
        // The others idle as long or longer: likely closed too.
        this.#dropIdle(target.key);
        // Once the whole request went out, the upstream may have acted on
        // it: only a request that may run twice is sent again (as Go's
        // transport decides), so a generation is never started twice.
        if (fresh || (error.requestSent && !replayable(init))) {
          throw error.cause;
        }
      }
    }
  }

  /** Closes every idle connection; later answers close theirs when done. */
  close(): void {
    this.#closed = true;
    this.#cancelSweep?.();
    this.#cancelSweep = null;
    this.#sweepAt = Infinity;
    for (const list of this.#idle.values()) {
      for (const connection of list) connection.destroy();
    }
    this.#idle.clear();
  }

  /** Idle connections, all upstreams together (for tests). */
  get idleCount(): number {
    let count = 0;
    for (const list of this.#idle.values()) count += list.length;
    return count;
  }

  #take(key: string): Connection | null {
    const list = this.#idle.get(key);
    if (!list) return null;
    const now = this.#clock.now();
    for (;;) {
      const connection = list.pop();
      if (!connection) return null;
      if (!connection.expired(now)) {
        connection.take();
        return connection;
      }
      connection.destroy();
    }
  }

  #dropIdle(key: string): void {
    for (const connection of this.#idle.get(key) ?? []) connection.destroy();
    this.#idle.delete(key);
  }

  /**
   * Takes out of the pool a connection whose idle read ended: the upstream
   * closed it, or the pool did (then it is no longer in the list).
   */
  #forget(connection: Connection): void {
    const list = this.#idle.get(connection.key);
    const at = list?.indexOf(connection) ?? -1;
    if (at < 0) return;
    list!.splice(at, 1);
    if (list!.length === 0) this.#idle.delete(connection.key);
    this.#onIdleClosed(connection.key);
  }

  #release(connection: Connection): void {
    // Bytes past the answer: the upstream is not speaking HTTP/1.1 to us.
    // A full pool closes the newcomer, which has no idle read to fail yet.
    let list = this.#idle.get(connection.key);
    if (
      this.#closed || connection.broken || connection.writing ||
      connection.buffered > 0 ||
      (list?.length ?? 0) >= this.#maxIdle
    ) {
      connection.destroy();
      return;
    }
    connection.reused = true;
    connection.idleSince = this.#clock.now();
    if (!list) this.#idle.set(connection.key, list = []);
    list.push(connection);
    connection.watchWhileIdle(() => this.#forget(connection));
    this.#sweepBy(connection.expiresAt);
  }

  /** Makes sure a sweep runs no later than `at`. */
  #sweepBy(at: number): void {
    if (at >= this.#sweepAt || at === Infinity) return;
    this.#cancelSweep?.();
    this.#sweepAt = at;
    this.#cancelSweep = this.#clock.setTimer(
      () => this.#sweep(),
      Math.max(0, at - this.#clock.now()),
    );
  }

  /**
   * Closes the idle connections that have idled their limit (each still
   * holds a socket, and most upstreams have given up on it by then), and
   * comes back when the next one is due.
   */
  #sweep(): void {
    this.#cancelSweep = null;
    this.#sweepAt = Infinity;
    const now = this.#clock.now();
    let next = Infinity;
    for (const [key, list] of this.#idle) {
      const kept = list.filter((connection) => {
        if (!connection.expired(now)) {
          next = Math.min(next, connection.expiresAt);
          return true;
        }
        connection.destroy();
        return false;
      });
      if (kept.length > 0) this.#idle.set(key, kept);
      else this.#idle.delete(key);
    }
    this.#sweepBy(next);
  }

  async #connect(target: Target, init: UpstreamInit): Promise<Connection> {
    const conn = await dialUpstream(target, {
      signal: init.signal,
      connectTimeoutMs: init.connectTimeoutMs ?? 0,
      tlsHandshakeMs: init.tlsHandshakeMs ?? 0,
      clock: this.#clock,
      tcp: this.#dial,
      caCerts: this.#caCerts,
    });
    return new Connection(conn, target.key);
  }

  /** One request and the head of its answer, on `connection`. */
  async #exchange(
    connection: Connection,
    wire: Wire,
    init: UpstreamInit,
  ): Promise<UpstreamResponse> {
    const onAbort = () => connection.destroy();
    init.signal.addEventListener("abort", onAbort, { once: true });
    connection.idleLimitMs = init.idleConnMs ?? this.#idleMs;
    const stopWatching = () =>
      init.signal.removeEventListener("abort", onAbort);
    try {
      const parsed = await sendAndRead(connection, wire);
      const framing = bodyFraming(parsed, init.method);
      // A length next to a transfer coding is void (RFC 9112 §6.3) and
      // must not reach the client, which would trust it; an upstream that
      // sends both gets no further requests on this connection.
      const bothFramings = parsed.headers.has("transfer-encoding") &&
        parsed.headers.has("content-length");
      if (bothFramings) parsed.headers.delete("content-length");
      if (
        !parsed.keepAlive || framing.kind === "close" ||
        parsed.status === 101 || bothFramings
      ) {
        connection.broken = true;
      }
      const body = new BodyReader(connection, framing, () => {
        stopWatching();
        this.#release(connection); // closes one that cannot be reused
      }, () => {
        stopWatching();
        connection.destroy();
      }, init.signal);
      return {
        status: parsed.status,
        statusText: parsed.statusText,
        headers: parsed.headers,
        hasBody: framing.kind !== "none",
        reader: () => body,
        bytes: () => body.all(),
        cancel: () => body.cancel(),
      };
    } catch (error) {
      stopWatching();
      throw error;
    }
  }
}

/**
 * Writes the request on `connection` and reads the head of its answer. A
 * body too large for one write goes out while the answer is read, so an
 * upstream that answers before taking all of it (refusing an upload, or
 * streaming early) is heard instead of blocking the write; the connection
 * is then not reused unless the write finished.
 */
async function sendAndRead(
  connection: Connection,
  wire: Wire,
): Promise<ParsedHead> {
  if (wire.body === null) {
    await connection.sendRequest(wire);
    return await connection.readHead();
  }
  const writing = connection.sendRequest(wire);
  writing.catch(() => {}); // awaited below when there is no answer
  try {
    return await connection.readHead();
  } catch (error) {
    // The connection closed before any answer: a failed write says more,
    // and that the request never went out whole. Any other failure (a
    // broken answer) is final; the write may never end, so it is cut.
    if (error instanceof StaleConnection) await writing;
    connection.destroy();
    throw error;
  }
}

/** A request failed on a reused connection before any answer came. */
class StaleConnection extends Error {
  /** Whether all of the request had been written when it failed. */
  readonly requestSent: boolean;

  constructor(requestSent: boolean, cause: unknown) {
    super("stale", { cause });
    this.requestSent = requestSent;
  }
}

/**
 * Methods that may run twice without harm, and requests the client marked
 * so with an idempotency key: only these are sent again after a failure
 * that came once the whole request was out.
 */
const REPLAYABLE_METHODS: ReadonlySet<string> = new Set([
  "GET",
  "HEAD",
  "OPTIONS",
  "TRACE",
]);

function replayable(init: UpstreamInit): boolean {
  return REPLAYABLE_METHODS.has(init.method) ||
    init.headers.some(([name]) => /^(x-)?idempotency-key$/i.test(name));
}

interface ParsedHead {
  readonly status: number;
  readonly statusText: string;
  readonly headers: Headers;
  readonly keepAlive: boolean;
}

type Framing =
  | { readonly kind: "none" }
  | { readonly kind: "length"; readonly length: number }
  | { readonly kind: "chunked" }
  | { readonly kind: "close" };

/** How the body of an answer is delimited (RFC 9112 §6.3). */
function bodyFraming(head: ParsedHead, method: string): Framing {
  const { status, headers } = head;
  if (method === "HEAD" || status === 204 || status === 304 || status < 200) {
    return { kind: "none" };
  }
  const coding = headers.get("transfer-encoding");
  if (coding !== null) {
    const last = coding.split(",").at(-1)?.trim().toLowerCase();
    return last === "chunked" ? { kind: "chunked" } : { kind: "close" };
  }
  const declared = headers.get("content-length");
  if (declared === null) return { kind: "close" };
  // Repeated headers arrive joined: "12, 12" is one length stated twice.
  const values = new Set(declared.split(",").map((part) => part.trim()));
  const [only] = values;
  if (values.size !== 1 || only === undefined || !/^\d{1,15}$/.test(only)) {
    throw new Error(`upstream sent an invalid Content-Length: ${declared}`);
  }
  const length = Number(only);
  return length === 0 ? { kind: "none" } : { kind: "length", length };
}

/**
 * One connection (TCP, or TLS over it) and the bytes read from it but not
 * yet used.
 */
class Connection {
  readonly conn: Deno.Conn;
  readonly key: string;
  buffer = new Uint8Array(IDLE_READ_BYTES);
  /** The last read filled all the room it had: read more at once next. */
  #filledUp = false;
  /** Unused bytes are `buffer[start..end)`. */
  start = 0;
  end = 0;
  /** Served an earlier request: a failure before any answer is stale. */
  reused = false;
  /** Cannot carry another request (closing, or its body is unread). */
  broken = false;
  /** A request is still being written (its answer may have come first). */
  writing = false;
  idleSince = 0;
  /** How long it may idle in the pool; 0 = no limit. */
  idleLimitMs = 0;
  #destroyed = false;
  /** The read `watchWhileIdle()` started, while the connection idles. */
  #idleRead: Promise<number | null> | null = null;
  /** That read once the connection was taken: its answer's first bytes. */
  #firstRead: Promise<number | null> | null = null;

  constructor(conn: Deno.Conn, key: string) {
    this.conn = conn;
    this.key = key;
  }

  get buffered(): number {
    return this.end - this.start;
  }

  get expiresAt(): number {
    return this.idleLimitMs > 0 ? this.idleSince + this.idleLimitMs : Infinity;
  }

  expired(now: number): boolean {
    return now >= this.expiresAt;
  }

  /**
   * Keeps a read waiting while the connection idles, so an upstream that
   * closes it (or sends anything unasked) is noticed at once: the
   * connection is destroyed and `onGone` runs. Once `take()`n, what that
   * read brings is the start of the next answer.
   */
  watchWhileIdle(onGone: () => void): void {
    this.start = this.end = 0;
    if (this.buffer.byteLength > IDLE_READ_BYTES) {
      this.buffer = new Uint8Array(IDLE_READ_BYTES);
    }
    this.#filledUp = false;
    const read = this.conn.read(this.buffer);
    this.#idleRead = read;
    const gone = () => {
      if (this.#idleRead !== read) return; // taken: the exchange reads it
      this.#idleRead = null;
      this.destroy();
      onGone();
    };
    read.then(gone, gone);
  }

  /** Out of the pool for a request. */
  take(): void {
    this.#firstRead = this.#idleRead;
    this.#idleRead = null;
  }

  destroy(): void {
    this.broken = true;
    if (this.#destroyed) return;
    this.#destroyed = true;
    try {
      this.conn.close();
    } catch {
      // closed already
    }
  }

  /** Writes the request; `writing` is true until all of it is out. */
  async sendRequest(wire: Wire): Promise<void> {
    this.writing = true;
    try {
      await this.#writeAll(wire.head);
      if (wire.body !== null) await this.#writeAll(wire.body);
      this.writing = false;
    } catch (error) {
      // The request never went out whole: the upstream cannot have acted.
      if (this.reused) throw new StaleConnection(false, error);
      throw new Error(`cannot send the request: ${errorText(error)}`, {
        cause: error,
      });
    }
  }

  async #writeAll(bytes: Uint8Array): Promise<void> {
    let written = 0;
    while (written < bytes.byteLength) {
      written += await this.conn.write(bytes.subarray(written));
    }
  }

  /**
   * Reads more bytes into the buffer, making room first. Returns false at
   * the end of the stream. `limit` caps how large the buffer may grow.
   */
  async fill(limit = READ_BYTES): Promise<boolean> {
    const first = this.#firstRead;
    if (first) {
      // Started into an empty buffer at 0 while the connection idled.
      this.#firstRead = null;
      const count = await first;
      if (count === null) return false;
      this.end += count;
      return true;
    }
    if (this.start === this.end) {
      this.start = this.end = 0;
      if (this.#filledUp && this.buffer.byteLength < limit) {
        this.buffer = new Uint8Array(
          Math.min(limit, this.buffer.byteLength * 2),
        );
      }
    } else if (this.end === this.buffer.byteLength) {
      if (this.start > 0) {
        this.buffer.copyWithin(0, this.start, this.end);
        this.end -= this.start;
        this.start = 0;
      } else if (this.buffer.byteLength < limit) {
        const grown = new Uint8Array(
          Math.min(limit, this.buffer.byteLength * 2),
        );
        grown.set(this.buffer);
        this.buffer = grown;
      } else {
        throw new Error("buffer full");
      }
    }
    const room = this.buffer.byteLength - this.end;
    const count = await this.conn.read(this.buffer.subarray(this.end));
    if (count === null) return false;
    this.#filledUp = count === room;
    this.end += count;
    return true;
  }

  /** Parses the next final response head, skipping 1xx interim ones. */
  async readHead(): Promise<ParsedHead> {
    let scanned = this.start;
    let gotAny = false;
    for (;;) {
      const at = findHeadEnd(this.buffer, scanned, this.end);
      if (at >= 0) {
        const head = parseHead(this.buffer.subarray(this.start, at));
        this.start = at + 4;
        gotAny = true;
        if (head.status >= 100 && head.status < 200 && head.status !== 101) {
          scanned = this.start;
          continue;
        }
        return head;
      }
      if (this.buffered >= MAX_HEAD_BYTES) {
        throw new Error(
          `upstream response head is over ${MAX_HEAD_BYTES} bytes`,
        );
      }
      scanned = Math.max(this.start, this.end - 3);
      const before = this.start;
      let more: boolean;
      try {
        more = await this.fill(MAX_HEAD_BYTES);
      } catch (error) {
        if (this.reused && !gotAny && this.buffered === 0) {
          throw new StaleConnection(true, error);
        }
        throw new Error(`no response from upstream: ${errorText(error)}`, {
          cause: error,
        });
      }
      scanned -= before - this.start; // fill() may have moved the bytes
      if (!more) {
        const cause = new Error("upstream closed the connection");
        if (this.reused && !gotAny && this.buffered === 0) {
          throw new StaleConnection(true, cause);
        }
        throw new Error(
          this.buffered === 0
            ? "upstream closed the connection without answering"
            : "upstream closed the connection mid-header",
        );
      }
      if (this.buffered > 0) gotAny = true;
    }
  }
}

/** Index of the `\r\n\r\n` ending a head in `buffer[from..to)`, or -1. */
function findHeadEnd(buffer: Uint8Array, from: number, to: number): number {
  for (let i = from; i + 3 < to; i++) {
    if (
      buffer[i] === 13 && buffer[i + 1] === 10 && buffer[i + 2] === 13 &&
      buffer[i + 3] === 10
    ) return i;
  }
  return -1;
}

/**
 * Index of the first `byte` in `buffer[from..to)`, or -1. The buffer is
 * reused, so `indexOf()` would search stale bytes past `to` as well.
 */
function indexOfByte(
  buffer: Uint8Array,
  byte: number,
  from: number,
  to: number,
): number {
  for (let i = from; i < to; i++) if (buffer[i] === byte) return i;
  return -1;
}

const STATUS_LINE = /^HTTP\/1\.([01]) (\d{3})(?: (.*))?$/;

function parseHead(bytes: Uint8Array): ParsedHead {
  const lines = latin1(bytes).split("\r\n");
  const match = STATUS_LINE.exec(lines[0] ?? "");
  if (!match) {
    throw new Error(
      `upstream sent a malformed status line: ${
        JSON.stringify((lines[0] ?? "").slice(0, 80))
      }`,
    );
  }
  const headers = new Headers();
  let closing = match[1] === "0";
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    const colon = line.indexOf(":");
    if (colon <= 0) {
      throw new Error(
        `upstream sent a malformed header line: ${
          JSON.stringify(line.slice(0, 80))
        }`,
      );
    }
    const name = line.slice(0, colon).toLowerCase();
    const value = line.slice(colon + 1).trim();
    try {
      headers.append(name, value);
    } catch (error) {
      throw new Error(`upstream sent an invalid header ${name}`, {
        cause: error,
      });
    }
    if (name === "connection") {
      const tokens = value.toLowerCase().split(",").map((t) => t.trim());
      if (tokens.includes("close")) closing = true;
      else if (tokens.includes("keep-alive")) closing = false;
    }
  }
  return {
    status: Number(match[2]),
    statusText: match[3] ?? "",
    headers,
    keepAlive: !closing,
  };
}

const asciiDecoder = new TextDecoder();

/** Bytes as a string of the same char codes (header bytes are Latin-1). */
function latin1(bytes: Uint8Array): string {
  let ascii = true;
  for (let i = 0; i < bytes.byteLength; i++) {
    if (bytes[i]! > 127) {
      ascii = false;
      break;
    }
  }
  if (ascii) return asciiDecoder.decode(bytes);
  let text = "";
  for (let at = 0; at < bytes.byteLength; at += 8192) {
    text += String.fromCharCode(...bytes.subarray(at, at + 8192));
  }
  return text;
}

/**
 * A request as bytes: `head` is the request line and headers, and also
 * the body when that is at most `JOINED_WRITE_BYTES` (one write, one
 * segment); `body` is a larger body, written after the head.
 */
interface Wire {
  readonly head: Uint8Array;
  readonly body: Uint8Array | null;
}

/**
 * The request line, `Host`, `Content-Length` and `init`'s headers, then
 * the body. `Host` is the URL's authority unless `init` brings its own (a
 * local model gets the client's).
 */
function encodeRequest(init: UpstreamInit, target: Target): Wire {
  let text = `${init.method} ${target.path} HTTP/1.1\r\n`;
  let host = false;
  for (const [name, value] of init.headers) {
    text += `${name}: ${value}\r\n`;
    if (name === "host") host = true;
  }
  if (!host) text += `host: ${target.authority}\r\n`;
  const body = init.body;
  const size = body?.byteLength ?? 0;
  if (size > 0 || body !== null || sendsBody(init.method)) {
    text += `content-length: ${size}\r\n`;
  }
  text += "\r\n";
  checkNoLineBreaks(init.headers);
  const joined = size <= JOINED_WRITE_BYTES;
  // The head is written straight into the buffer a small body joins: one
  // allocation and one copy fewer than encoding it alone, then joining.
  const head = new Uint8Array(text.length + (joined ? size : 0));
  if (isAscii(text)) {
    asciiEncoder.encodeInto(text, head);
  } else {
    for (let i = 0; i < text.length; i++) {
      const code = text.charCodeAt(i);
      if (code > 255) {
        throw new TypeError(
          "a request header holds a character beyond Latin-1",
        );
      }
      head[i] = code;
    }
  }
  if (!joined) return { head, body };
  if (body !== null && size > 0) head.set(body, text.length);
  return { head, body: null };
}

function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) > 127) return false;
  }
  return true;
}

const asciiEncoder = new TextEncoder();

function sendsBody(method: string): boolean {
  return method === "POST" || method === "PUT" || method === "PATCH";
}

const LINE_BREAK = /[\r\n]/;

function checkNoLineBreaks(headers: readonly [string, string][]): void {
  for (const [name, value] of headers) {
    if (LINE_BREAK.test(name) || LINE_BREAK.test(value)) {
      throw new TypeError(`header ${name} holds a line break`);
    }
  }
}

/** Where the authority of an `http://` or `https://` URL starts; else -1. */
function authorityStart(url: string): number {
  if (url.startsWith("http://")) return 7;
  if (url.startsWith("https://")) return 8;
  return -1;
}

function authorityEnd(url: string, from: number): number {
  for (let i = from; i < url.length; i++) {
    const code = url.charCodeAt(i);
    if (code === 47 /* / */ || code === 63 /* ? */ || code === 35 /* # */) {
      return i;
    }
  }
  return url.length;
}

/** Origins parsed so far, by the URL's scheme and authority. */
const parsedOrigins = new Map<string, Omit<Target, "path">>();

function parseTarget(url: string): Target {
  const from = authorityStart(url);
  const end = authorityEnd(url, from);
  const origin = url.slice(0, end);
  let parsed = parsedOrigins.get(origin);
  if (!parsed) {
    parsed = parseOrigin(url.slice(from, end), from === 8);
    if (parsedOrigins.size < 1000) parsedOrigins.set(origin, parsed);
  }
  const rest = url.slice(end);
  const hash = rest.indexOf("#");
  const path = hash < 0 ? rest : rest.slice(0, hash);
  return {
    ...parsed,
    path: path === "" || path[0] === "?" ? `/${path}` : path,
  };
}

function parseOrigin(authority: string, secure: boolean): Omit<Target, "path"> {
  const url = new URL(`${secure ? "https" : "http"}://${authority}/`);
  const hostname = url.hostname.startsWith("[")
    ? url.hostname.slice(1, -1)
    : url.hostname;
  const port = url.port === "" ? (secure ? 443 : 80) : Number(url.port);
  const key = `${secure ? "https://" : ""}${hostname}:${port}`;
  return { key, hostname, port, authority, secure };
}

/**
 * An answer's body read off its connection. `onDone` runs once the last
 * byte is read (the connection may carry the next request), `onBroken`
 * when reading stops early: a failure or `cancel()`.
 */
class BodyReader implements ChunkReader {
  #connection: Connection;
  #framing: Framing;
  #onDone: () => void;
  #onBroken: () => void;
  #signal: AbortSignal;
  /** Bytes left: of the body (`length`) or of the current chunk. */
  #left: number;
  #chunkState: "size" | "data" | "dataEnd" | "trailer" = "size";
  #over = false;

  constructor(
    connection: Connection,
    framing: Framing,
    onDone: () => void,
    onBroken: () => void,
    signal: AbortSignal,
  ) {
    this.#connection = connection;
    this.#framing = framing;
    this.#onDone = onDone;
    this.#onBroken = onBroken;
    this.#signal = signal;
    this.#left = framing.kind === "length" ? framing.length : 0;
    if (framing.kind === "none") this.#finish();
  }

  async read(): Promise<Uint8Array | null> {
    if (this.#over) return null;
    try {
      switch (this.#framing.kind) {
        case "length":
          return await this.#readLength();
        case "chunked":
          return await this.#readChunked();
        default:
          return await this.#readToClose();
      }
    } catch (error) {
      this.#break();
      if (this.#signal.aborted) throw this.#signal.reason;
      throw error;
    }
  }

  /** The rest of the body in one array. */
  async all(): Promise<Uint8Array<ArrayBuffer>> {
    if (this.#framing.kind === "length" && !this.#over) {
      try {
        return await this.#readRestOfLength();
      } catch (error) {
        this.#break();
        if (this.#signal.aborted) throw this.#signal.reason;
        throw error;
      }
    }
    const chunks: Uint8Array[] = [];
    for (let chunk = await this.read(); chunk; chunk = await this.read()) {
      chunks.push(chunk);
    }
    return joinBytes(chunks);
  }

  cancel(): Promise<void> {
    if (!this.#over) this.#break();
    return Promise.resolve();
  }

  #finish(): void {
    if (this.#over) return;
    this.#over = true;
    this.#onDone();
  }

  #break(): void {
    if (this.#over) return;
    this.#over = true;
    this.#onBroken();
  }

  async #readLength(): Promise<Uint8Array> {
    const connection = this.#connection;
    if (connection.buffered === 0 && !(await connection.fill())) {
      throw new Error(`upstream body ended ${this.#left} bytes early`);
    }
    const take = Math.min(this.#left, connection.buffered);
    const chunk = connection.buffer.slice(
      connection.start,
      connection.start + take,
    );
    connection.start += take;
    this.#left -= take;
    if (this.#left === 0) this.#finish();
    return chunk;
  }

  async #readRestOfLength(): Promise<Uint8Array<ArrayBuffer>> {
    const connection = this.#connection;
    const out = new Uint8Array(this.#left);
    let got = Math.min(this.#left, connection.buffered);
    out.set(
      connection.buffer.subarray(connection.start, connection.start + got),
    );
    connection.start += got;
    while (got < out.byteLength) {
      const count = await connection.conn.read(out.subarray(got));
      if (count === null) {
        throw new Error(
          `upstream body ended ${out.byteLength - got} bytes early`,
        );
      }
      got += count;
    }
    this.#left = 0;
    this.#finish();
    return out;
  }

  async #readToClose(): Promise<Uint8Array | null> {
    const connection = this.#connection;
    if (connection.buffered === 0 && !(await connection.fill())) {
      this.#finish();
      return null;
    }
    const chunk = connection.buffer.slice(connection.start, connection.end);
    connection.start = connection.end;
    return chunk;
  }

  /** Everything decodable from what is buffered; reads when nothing is. */
  async #readChunked(): Promise<Uint8Array | null> {
    for (;;) {
      const parts = this.#decodeBuffered();
      if (parts.length === 1) return parts[0]!;
      if (parts.length > 1) return joinBytes(parts);
      if (this.#over) return null;
      if (!(await this.#connection.fill(MAX_LINE_BYTES * 4))) {
        throw new Error("upstream closed the connection mid-body");
      }
    }
  }

  /** Steps through the chunked framing as far as the buffer allows. */
  #decodeBuffered(): Uint8Array[] {
    const connection = this.#connection;
    const buffer = connection.buffer;
    const parts: Uint8Array[] = [];
    while (!this.#over) {
      if (this.#chunkState === "data") {
        const take = Math.min(this.#left, connection.buffered);
        if (take === 0) break;
        parts.push(buffer.slice(connection.start, connection.start + take));
        connection.start += take;
        this.#left -= take;
        if (this.#left === 0) this.#chunkState = "dataEnd";
        continue;
      }
      if (this.#chunkState === "dataEnd") {
        if (connection.buffered < 2) break;
        if (
          buffer[connection.start] !== 13 ||
          buffer[connection.start + 1] !== 10
        ) throw new Error("upstream sent a malformed chunked body");
        connection.start += 2;
        this.#chunkState = "size";
        continue;
      }
      const lineEnd = indexOfByte(buffer, 10, connection.start, connection.end);
      if (lineEnd < 0) {
        if (connection.buffered > MAX_LINE_BYTES) {
          throw new Error("upstream sent a malformed chunked body");
        }
        break;
      }
      const lineStart = connection.start;
      connection.start = lineEnd + 1;
      if (this.#chunkState === "trailer") {
        const empty = lineEnd === lineStart ||
          (lineEnd === lineStart + 1 && buffer[lineStart] === 13);
        if (empty) this.#finish();
        continue;
      }
      this.#left = chunkSize(buffer, lineStart, lineEnd);
      this.#chunkState = this.#left === 0 ? "trailer" : "data";
    }
    return parts;
  }
}

/**
 * The size on a chunk-size line, `buffer[from..to)` without its `\n`: hex
 * digits, then optionally spaces, a `;` and extensions (ignored), and the
 * `\r`. Read byte by byte: one runs for every chunk of every stream.
 */
function chunkSize(buffer: Uint8Array, from: number, to: number): number {
  let size = 0;
  let digits = 0;
  let at = from;
  for (; at < to; at++) {
    const byte = buffer[at]!;
    const digit = byte >= 48 && byte <= 57
      ? byte - 48
      : byte >= 97 && byte <= 102
      ? byte - 87
      : byte >= 65 && byte <= 70
      ? byte - 55
      : -1;
    if (digit < 0) break;
    size = size * 16 + digit;
    digits++;
  }
  const rest = buffer[at];
  const ended = at === to || rest === 13 || rest === 59 /* ; */ ||
    rest === 32 || rest === 9;
  if (digits === 0 || digits > 12 || !ended) {
    throw new Error("upstream sent a malformed chunked body");
  }
  return size;
}

/** Which schemes the environment sends through a proxy. */
export interface ProxyEnvironment {
  /** `HTTP_PROXY` or `http_proxy` is set. */
  readonly http: boolean;
  /** `HTTPS_PROXY` or `https_proxy` is set. */
  readonly https: boolean;
}

/**
 * `pool` for the URLs it handles, `fallback` (fetch) for the rest, and
 * for a URL whose scheme `proxies` names, unless its host is loopback:
 * `fetch` honours `HTTP_PROXY`, `HTTPS_PROXY` and `NO_PROXY`, which the
 * pool knows nothing of, but sends loopback hosts through the proxy too,
 * where llama-swap (Go's proxy rules) always reaches them directly.
 */
export function sendThrough(
  pool: Http1Pool,
  fallback: UpstreamSend,
  proxies: ProxyEnvironment = { http: false, https: false },
): UpstreamSend {
  return (url, init) => {
    if (!Http1Pool.handles(url)) return fallback(url, init);
    const proxied = url.startsWith("https://") ? proxies.https : proxies.http;
    return proxied && !isLoopbackUrl(url)
      ? fallback(url, init)
      : pool.request(url, init);
  };
}

/** `localhost` (and names under it), 127.0.0.0/8 or `::1`. */
export function isLoopbackUrl(url: string): boolean {
  const host = new URL(url).hostname.toLowerCase();
  return host === "localhost" || host.endsWith(".localhost") ||
    host === "[::1]" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/**
 * The proxies the environment names, as Deno's `fetch` reads them
 * (upper or lower case; an empty value names none).
 */
export function proxyEnvironment(
  env: { get(name: string): string | undefined } = Deno.env,
): ProxyEnvironment {
  const set = (name: string) =>
    !!env.get(name.toUpperCase()) || !!env.get(name);
  return { http: set("http_proxy"), https: set("https_proxy") };
}
