/**
 * Helpers for the proxy's tests, here and in `tests/proxy_extras_*`: a
 * selector builder, an observer that records what it saw, a log waiter
 * and websockets without sockets. Production code never imports this
 * file.
 */
import type { SelectorConfig } from "../config/types.ts";
import type { LogBuffer } from "../log/mod.ts";
import type {
  ProxyObserver,
  RequestObservation,
  RequestStart,
} from "./observer.ts";
import type { WebSocketPort } from "./websocket_connect.ts";

/** A selector with llama-swap's defaults: `pin`, spillover 1, listed. */
export function testSelector(
  id: string,
  overrides: Partial<SelectorConfig> = {},
): SelectorConfig {
  return {
    id,
    strategy: "pin",
    targets: [],
    spillover: 1,
    name: "",
    description: "",
    unlisted: false,
    metadata: {},
    ...overrides,
  };
}

/** Every observation started, with the labels added to each later. */
export class RecordingObserver implements ProxyObserver {
  readonly starts: RequestStart[] = [];
  readonly labels: Record<string, string>[] = [];

  requestStarted(start: RequestStart): RequestObservation {
    this.starts.push(start);
    const labels: Record<string, string> = {};
    this.labels.push(labels);
    return {
      requestBody() {},
      responseStarted() {},
      chunk() {},
      annotate(key, value) {
        labels[key] = value;
      },
      finished() {},
    };
  }
}

/** The message of a JSON error answer. */
export async function errorMessage(res: Response): Promise<string> {
  return (await res.json()).error.message;
}

/** Resolves once `pattern` has matched `count` times in the log. */
export function logged(logs: LogBuffer, pattern: RegExp, count: number) {
  const { promise, resolve } = Promise.withResolvers<void>();
  const check = () => {
    if ((logs.text().match(pattern) ?? []).length < count) return false;
    unsubscribe();
    resolve();
    return true;
  };
  const unsubscribe = logs.subscribe(() => check());
  check();
  return promise;
}

/** Just enough of a websocket for the proxy; the test moves its state. */
export class FakeSocket extends EventTarget {
  readyState: number;
  binaryType: BinaryType = "blob";
  protocol = "";
  readonly sent: (string | ArrayBufferLike | Blob | ArrayBufferView)[] = [];
  /** A peer that does not read: what is sent stays in `bufferedAmount`. */
  stalled = false;
  bufferedAmount = 0;
  /** Arguments of each `close()` call; an empty array for no code. */
  readonly closes: unknown[][] = [];

  constructor(readyState: number = WebSocket.OPEN) {
    super();
    this.readyState = readyState;
  }

  send(data: string | ArrayBufferLike | Blob | ArrayBufferView): void {
    if (this.readyState !== WebSocket.OPEN) {
      throw new Error("Cannot send: the fake socket is not open");
    }
    this.sent.push(data);
    if (this.stalled) {
      this.bufferedAmount += typeof data === "string"
        ? data.length
        : data instanceof Blob
        ? data.size
        : data.byteLength;
    }
  }

  close(...args: unknown[]): void {
    this.closes.push(args);
    if (this.readyState !== WebSocket.CLOSED) {
      this.readyState = WebSocket.CLOSING;
    }
  }

  open(): void {
    this.readyState = WebSocket.OPEN;
    this.dispatchEvent(new Event("open"));
  }

  receive(data: string | ArrayBuffer): void {
    this.dispatchEvent(new MessageEvent("message", { data }));
  }

  closed(code: number, reason = ""): void {
    this.readyState = WebSocket.CLOSED;
    this.dispatchEvent(new CloseEvent("close", { code, reason }));
  }

  get socket(): WebSocket {
    return this as unknown as WebSocket;
  }
}

/** One upstream dial a `FakeWebSocketPort` received. */
export interface Dial {
  readonly url: string;
  readonly protocols: string[];
  readonly headers: Headers;
  readonly upstream: FakeSocket;
}

/**
 * Websockets without sockets: every dial opens in a microtask, choosing
 * the first offered subprotocol, and an upgrade answers 200 (a test's
 * `app.request()` has no connection to switch) with the chosen protocol
 * in `x-test-protocol`.
 */
export class FakeWebSocketPort implements WebSocketPort {
  readonly dials: Dial[] = [];
  readonly clients: FakeSocket[] = [];

  upgrade(_request: Request, options: { protocol?: string }) {
    const client = new FakeSocket();
    this.clients.push(client);
    const response = new Response(null, {
      headers: { "x-test-protocol": options.protocol ?? "" },
    });
    return { socket: client.socket, response };
  }

  connect(url: string, options: { protocols: string[]; headers: Headers }) {
    const upstream = new FakeSocket(WebSocket.CONNECTING);
    upstream.protocol = options.protocols[0] ?? "";
    this.dials.push({ url, ...options, upstream });
    queueMicrotask(() => upstream.open());
    return upstream.socket;
  }
}
