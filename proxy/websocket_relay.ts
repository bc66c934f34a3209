import type { Clock } from "../lib/mod.ts";

/** How long a relay waits for the second side's close after the first. */
export const CLOSE_GRACE_MS = 5_000;

/**
 * Bytes a side may have waiting to go out (16 MiB) before the relay cuts
 * the connection: the browser-style websocket API cannot stop the other
 * side from sending, so a peer that does not read would otherwise fill
 * the proxy's memory.
 */
export const MAX_WAITING_BYTES = 16 * 1024 * 1024;

type Message = string | ArrayBufferLike | Blob | ArrayBufferView;

/** Which end of a connection a socket is: it decides the close codes. */
type Role = "server" | "client";

interface Side {
  readonly socket: WebSocket;
  readonly role: Role;
  /** Messages that arrived for this side while it was still connecting. */
  readonly pending: Message[];
  /** Their size in bytes (a string counted by its length). */
  pendingBytes: number;
  /** A close asked for while connecting, done once it opens. */
  closeLater: { code: number; reason: string } | null;
  closed: boolean;
}

export interface RelayOptions {
  readonly clock: Clock;
  /** Defaults to `CLOSE_GRACE_MS`. */
  readonly closeGraceMs?: number;
  /** Defaults to `MAX_WAITING_BYTES`. */
  readonly maxWaitingBytes?: number;
}

/**
 * Joins the client's websocket (the server end, from
 * `Deno.upgradeWebSocket`) to the upstream's (a `new WebSocket`): every
 * text and binary message goes across as it is, and when one side closes
 * or fails, the other is closed with the same code and reason where that
 * code may be sent. A side still connecting keeps its messages, and a
 * close meant for it, until it opens. A side with more than
 * `maxWaitingBytes` waiting to go out (it does not read) gets both sides
 * cut: the client with 1008 and the reason.
 *
 * `done` resolves once both sides are closed, or `closeGraceMs` after the
 * first one closed if the other never confirms; it never rejects.
 */
export class WebSocketRelay {
  readonly done: Promise<void>;
  readonly #client: Side;
  readonly #upstream: Side;
  readonly #options: RelayOptions;
  readonly #finish: () => void;
  #cancelGrace: (() => void) | null = null;

  constructor(client: WebSocket, upstream: WebSocket, options: RelayOptions) {
    this.#options = options;
    this.#client = side(client, "server");
    this.#upstream = side(upstream, "client");
    const { promise, resolve } = Promise.withResolvers<void>();
    this.done = promise;
    this.#finish = () => {
      this.#cancelGrace?.();
      resolve();
    };
    this.#wire(this.#client, this.#upstream);
    this.#wire(this.#upstream, this.#client);
  }

  /**
   * Closes both sides, the client with `code` (e.g. 1001 when the model
   * went away) and the upstream normally.
   */
  cut(code: number, reason: string): void {
    // What waits for a side still connecting is not worth sending now.
    for (const side of [this.#client, this.#upstream]) {
      side.pending.length = 0;
      side.pendingBytes = 0;
    }
    closeSide(this.#client, code, reason);
    closeSide(this.#upstream, code, reason);
    this.#startGrace();
  }

  #wire(from: Side, to: Side): void {
    const socket = from.socket;
    socket.binaryType = "arraybuffer";
    if (socket.readyState === WebSocket.CLOSED) from.closed = true;

    socket.addEventListener("open", () => {
      for (const message of from.pending.splice(0)) socket.send(message);
      from.pendingBytes = 0;
      const later = from.closeLater;
      if (later) closeSide(from, later.code, later.reason);
    });
    socket.addEventListener("message", (event) => {
      deliver(to, event.data);
      const limit = this.#options.maxWaitingBytes ?? MAX_WAITING_BYTES;
      if (waitingBytes(to) > limit) {
        const who = to === this.#client ? "client" : "upstream";
        this.cut(
          1008,
          `the ${who} is not reading: over ${sizeText(limit)} waiting`,
        );
      }
    });
    socket.addEventListener("error", () => {
      closeSide(to, 1011, "the other side of the relay failed");
    });
    socket.addEventListener("close", (event) => {
      from.closed = true;
      closeSide(to, event.code, event.reason);
      this.#startGrace();
      if (this.#client.closed && this.#upstream.closed) this.#finish();
    });
  }

  #startGrace(): void {
    if (this.#cancelGrace) return;
    const ms = this.#options.closeGraceMs ?? CLOSE_GRACE_MS;
    this.#cancelGrace = this.#options.clock.setTimer(this.#finish, ms);
  }
}

function side(socket: WebSocket, role: Role): Side {
  return {
    socket,
    role,
    pending: [],
    pendingBytes: 0,
    closeLater: null,
    closed: false,
  };
}

function deliver(to: Side, message: Message): void {
  switch (to.socket.readyState) {
    case WebSocket.OPEN:
      to.socket.send(message);
      return;
    case WebSocket.CONNECTING:
      to.pending.push(message);
      to.pendingBytes += messageBytes(message);
      return;
    default:
      return; // closing or closed: the message has nowhere to go
  }
}

/** What waits to go out to a side: kept while it connects, or buffered. */
function waitingBytes(to: Side): number {
  return to.socket.readyState === WebSocket.CONNECTING
    ? to.pendingBytes
    : to.socket.bufferedAmount;
}

/** `16 MiB`, or `1024 bytes` below a MiB. */
function sizeText(bytes: number): string {
  const mib = bytes / (1024 * 1024);
  return mib >= 1 ? `${Math.round(mib)} MiB` : `${bytes} bytes`;
}

function messageBytes(message: Message): number {
  if (typeof message === "string") return message.length;
  if (message instanceof Blob) return message.size;
  return message.byteLength;
}

/**
 * Closes a side with the other side's code where the protocol lets this
 * end send it; otherwise without a code (1005 to the peer), or 1000 for
 * the upstream, whose browser-style API accepts nothing else below 3000.
 */
function closeSide(to: Side, code: number, reason: string): void {
  const socket = to.socket;
  if (to.closed || socket.readyState === WebSocket.CLOSED) return;
  if (socket.readyState === WebSocket.CONNECTING) {
    // Closing a server end before its handshake is sent stalls it; wait.
    to.closeLater = { code, reason };
    return;
  }
  if (socket.readyState === WebSocket.CLOSING) return;

  const text = truncateReason(reason);
  if (sendableCode(to.role, code)) {
    socket.close(code, text);
  } else if (to.role === "client") {
    socket.close(1000, text);
  } else {
    socket.close();
  }
}

/** Codes each end may put in a close frame (RFC 6455 §7.4). */
function sendableCode(role: Role, code: number): boolean {
  if (code >= 3000 && code <= 4999) return true;
  if (role === "client") return code === 1000;
  return code >= 1000 && code <= 1014 && ![1004, 1005, 1006].includes(code);
}

/** A close reason holds at most 123 bytes of UTF-8. */
function truncateReason(reason: string): string {
  const bytes = new TextEncoder().encode(reason);
  if (bytes.length <= 123) return reason;
  let text = reason;
  while (new TextEncoder().encode(text).length > 123) text = text.slice(0, -1);
  return text;
}
