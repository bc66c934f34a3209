import type { Clock } from "../lib/mod.ts";
import { HttpError } from "./errors.ts";

/**
 * How the proxy makes websockets: `upgrade` turns the client's request
 * into a socket and the 101 answer, `connect` dials an upstream. The
 * defaults are `Deno.upgradeWebSocket` and `new WebSocket`.
 */
export interface WebSocketPort {
  upgrade(
    request: Request,
    options: { protocol?: string },
  ): { socket: WebSocket; response: Response };
  connect(
    url: string,
    options: { protocols: string[]; headers: Headers },
  ): WebSocket;
}

/** The real websockets. */
export const denoWebSockets: WebSocketPort = {
  upgrade: (request, options) => Deno.upgradeWebSocket(request, options),
  connect: (url, options) => new WebSocket(url, options),
};

export interface ConnectOptions {
  readonly protocols: string[];
  readonly headers: Headers;
  /** Aborts the attempt: the client left. */
  readonly signal: AbortSignal;
  /** Give up when the handshake takes longer; 0 = wait for it. */
  readonly timeoutMs: number;
  /** Prefix of the 502 and 504 messages. */
  readonly failurePrefix: string;
  readonly clock: Clock;
}

/**
 * Opens a websocket to `url` and resolves once the upstream accepted the
 * upgrade. Rejects with `HttpError` 502 when the upstream refuses (it is
 * unreachable or answers without switching protocols), 504 after
 * `timeoutMs`, and 499 when `signal` aborts; the socket is closed then.
 */
export function connectUpstreamSocket(
  port: WebSocketPort,
  url: string,
  options: ConnectOptions,
): Promise<WebSocket> {
  if (options.signal.aborted) return Promise.reject(clientGone());
  const socket = port.connect(url, {
    protocols: options.protocols,
    headers: options.headers,
  });

  return new Promise<WebSocket>((resolve, reject) => {
    const settle = (failure: HttpError | null) => {
      cancelTimer();
      options.signal.removeEventListener("abort", onAbort);
      socket.removeEventListener("open", onOpen);
      socket.removeEventListener("error", onError);
      socket.removeEventListener("close", onClose);
      if (failure === null) return resolve(socket);
      if (socket.readyState !== WebSocket.CLOSED) socket.close();
      reject(failure);
    };
    const onOpen = () => settle(null);
    let detail = "the upstream closed the connection";
    const onError = (event: Event) => {
      if (event instanceof ErrorEvent && event.message) detail = event.message;
      settle(new HttpError(502, `${options.failurePrefix}: ${detail}`));
    };
    const onClose = () =>
      settle(new HttpError(502, `${options.failurePrefix}: ${detail}`));
    const onAbort = () => settle(clientGone());
    const cancelTimer = options.timeoutMs > 0
      ? options.clock.setTimer(() => {
        const seconds = options.timeoutMs / 1000;
        settle(
          new HttpError(
            504,
            `${options.failurePrefix}: no websocket handshake within ${seconds}s`,
          ),
        );
      }, options.timeoutMs)
      : () => {};

    socket.addEventListener("open", onOpen);
    socket.addEventListener("error", onError);
    socket.addEventListener("close", onClose);
    options.signal.addEventListener("abort", onAbort, { once: true });
  });
}

function clientGone(): HttpError {
  return new HttpError(499, "client closed request");
}
