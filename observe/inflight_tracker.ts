import { Cancelled, type Clock, systemClock } from "../lib/mod.ts";
import { clientIp } from "./client_ip.ts";
import type { EventBus } from "./event_bus.ts";
import type { InFlightRequest, InFlightUpdate } from "./event_messages.ts";
import { redactHeaders } from "./redact.ts";

/** Shortest gap between two progress updates of one request. */
export const PROGRESS_THROTTLE_MS = 250;

/** What the proxy knows when a model-dispatched request begins. */
export interface InFlightStart {
  /** Resolved real model ID. */
  model: string;
  /** Path as sent upstream. */
  reqPath: string;
  method: string;
  reqHeaders: Headers;
  /** Socket address of the client; forwarding headers take precedence. */
  remoteAddr: string;
  metadata?: Readonly<Record<string, string>>;
  /** The client's abort signal; it also aborts `handle.signal`. */
  signal?: AbortSignal;
}

/** The proxy's side of one tracked request. */
export interface InFlightHandle extends Disposable {
  readonly id: string;
  /** Aborts when the client goes away or someone calls `cancel(id)`. */
  readonly signal: AbortSignal;
  /** The upstream answered; publishes the redacted response headers. */
  responseStarted(headers: Headers): void;
  /** `bytes` more of the body reached the client (throttled updates). */
  progress(bytes: number): void;
  /** The request is over; publishes its removal. Idempotent. */
  finish(): void;
}

export interface InFlightTrackerOptions {
  /** Where `inflight` messages go; also gets a resync provider. */
  bus?: EventBus;
  clock?: Clock;
  /** Called with a model's new count whenever it changes (for metrics). */
  onCountChange?: (model: string, count: number) => void;
}

interface Entry {
  readonly id: string;
  readonly start: InFlightStart;
  readonly startedAt: number;
  readonly controller: AbortController;
  respHeaders: Headers | null;
  respBytes: number;
  /** The published form minus `resp_bytes` and `elapsed_ms`, once built. */
  view: Omit<InFlightRequest, "resp_bytes" | "elapsed_ms"> | null;
  lastProgressAt: number;
  cancelProgressTimer: (() => void) | null;
  finished: boolean;
}

/**
 * Requests being served now, published to `/api/events` as `inflight`
 * messages: `upsert` when a request starts, when its response starts and
 * for body progress (at most one per request per 250 ms, the last bytes
 * always following), `remove` when it ends, `snapshot` on demand.
 *
 * Every method returns at once; publishing never waits for a client. An
 * entry's published form (redacted headers, time stamp, client address)
 * is built only when someone reads it: while nobody listens to the bus,
 * updates are not even assembled, and a client that connects later gets
 * the current state in its snapshot.
 */
export class InFlightTracker {
  #entries = new Map<string, Entry>();
  #nextId = 1;
  #bus: EventBus | null;
  #clock: Clock;
  #onCountChange: (model: string, count: number) => void;
  /** Requests in flight per model; models with none are absent. */
  #perModel = new Map<string, number>();

  constructor(options: InFlightTrackerOptions = {}) {
    this.#bus = options.bus ?? null;
    this.#clock = options.clock ?? systemClock;
    this.#onCountChange = options.onCountChange ?? (() => {});
    this.#bus?.setResync("inflight", () => ({
      type: "inflight",
      data: this.snapshot(),
    }));
  }

  /**
   * Starts tracking a request and publishes it. Keeps `start.reqHeaders`
   * (and later the response headers) by reference: the caller must not
   * change them afterwards.
   */
  start(start: InFlightStart): InFlightHandle {
    const id = String(this.#nextId++);
    const controller = new AbortController();
    const entry: Entry = {
      id,
      start,
      startedAt: this.#clock.now(),
      controller,
      respHeaders: null,
      respBytes: 0,
      view: null,
      lastProgressAt: -Infinity,
      cancelProgressTimer: null,
      finished: false,
    };
    this.#entries.set(id, entry);
    this.#countChanged(start.model, 1);
    this.#upsert(entry);

    const signal = start.signal
      ? AbortSignal.any([start.signal, controller.signal])
      : controller.signal;
    const finish = () => this.#finish(entry);
    return {
      id,
      signal,
      responseStarted: (headers) => {
        if (entry.finished) return;
        entry.respHeaders = headers;
        entry.view = null;
        this.#upsert(entry);
      },
      progress: (bytes) => this.#progress(entry, bytes),
      finish,
      [Symbol.dispose]: finish,
    };
  }

  /**
   * Aborts the signal of request `id` (the proxy then aborts its upstream
   * call and finishes as usual). False when no such request is in flight.
   */
  cancel(id: string): boolean {
    const entry = this.#entries.get(id);
    if (!entry) return false;
    entry.controller.abort(
      new Cancelled(`cancelled through the API (in-flight request ${id})`),
    );
    return true;
  }

  /** Every request in flight, oldest first (ties by ID). */
  list(): InFlightRequest[] {
    return [...this.#entries.values()]
      .sort((a, b) => a.startedAt - b.startedAt || Number(a.id) - Number(b.id))
      .map((entry) => this.#published(entry));
  }

  /** The `snapshot` payload; `requests` is left out when none. */
  snapshot(): InFlightUpdate {
    const requests = this.list();
    return requests.length > 0
      ? { operation: "snapshot", requests }
      : { operation: "snapshot" };
  }

  /** Requests in flight, for one model or for all. */
  count(model?: string): number {
    if (model === undefined) return this.#entries.size;
    return this.#perModel.get(model) ?? 0;
  }

  #progress(entry: Entry, bytes: number): void {
    if (entry.finished) return;
    entry.respBytes += bytes;
    if (entry.cancelProgressTimer || !this.#listened()) return;
    const wait = entry.lastProgressAt + PROGRESS_THROTTLE_MS -
      this.#clock.now();
    if (wait <= 0) {
      this.#sendProgress(entry);
      return;
    }
    entry.cancelProgressTimer = this.#clock.setTimer(() => {
      entry.cancelProgressTimer = null;
      this.#sendProgress(entry);
    }, wait);
  }

  #sendProgress(entry: Entry): void {
    entry.lastProgressAt = this.#clock.now();
    this.#upsert(entry);
  }

  #finish(entry: Entry): void {
    if (entry.finished) return;
    entry.finished = true;
    entry.cancelProgressTimer?.();
    entry.cancelProgressTimer = null;
    this.#entries.delete(entry.id);
    this.#countChanged(entry.start.model, -1);
    if (this.#listened()) {
      this.#publish({ operation: "remove", id: entry.id });
    }
  }

  #upsert(entry: Entry): void {
    if (!this.#listened()) return;
    this.#publish({ operation: "upsert", request: this.#published(entry) });
  }

  /** True while some `/api/events` client would receive an update. */
  #listened(): boolean {
    return this.#bus !== null && this.#bus.subscriberCount > 0;
  }

  #published(entry: Entry): InFlightRequest {
    entry.view ??= this.#view(entry);
    return {
      ...entry.view,
      req_headers: { ...entry.view.req_headers },
      resp_headers: { ...entry.view.resp_headers },
      resp_bytes: entry.respBytes,
      elapsed_ms: Math.max(0, this.#clock.now() - entry.startedAt),
    };
  }

  #view(entry: Entry): Omit<InFlightRequest, "resp_bytes" | "elapsed_ms"> {
    const start = entry.start;
    return {
      id: entry.id,
      timestamp: new Date(entry.startedAt).toISOString(),
      model: start.model,
      req_path: start.reqPath,
      method: start.method,
      req_headers: redactHeaders(start.reqHeaders),
      remote_ip: clientIp(start.reqHeaders, start.remoteAddr),
      resp_headers: entry.respHeaders ? redactHeaders(entry.respHeaders) : {},
      ...(start.metadata && Object.keys(start.metadata).length > 0
        ? { metadata: { ...start.metadata } }
        : {}),
    };
  }

  #publish(update: InFlightUpdate): void {
    this.#bus?.publish({ type: "inflight", data: update });
  }

  #countChanged(model: string, by: 1 | -1): void {
    const count = (this.#perModel.get(model) ?? 0) + by;
    if (count > 0) this.#perModel.set(model, count);
    else this.#perModel.delete(model);
    this.#onCountChange(model, count);
  }
}
