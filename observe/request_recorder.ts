import type { Clock } from "../lib/mod.ts";
import type { RequestObservation, RequestStart } from "../proxy/mod.ts";
import type { NewActivity } from "./activity_entry.ts";
import { ownArray } from "../lib/mod.ts";
import { BoundedBytes } from "./bounded_bytes.ts";
import { buildCapture, type CapturedExchange } from "./capture.ts";
import { decodeBody } from "./content_decoding.ts";
import { extractErrorMessage } from "./error_message.ts";
import type { InFlightHandle } from "./inflight_tracker.ts";
import { StreamUsageTracker } from "./stream_usage_tracker.ts";
import { type TokenMetrics, unknownTokenMetrics } from "./token_metrics.ts";
import { parseUsage } from "./usage_parser.ts";

/** Largest JSON response body kept to read its usage (8 MiB). */
export const USAGE_BODY_LIMIT = 8 * 1024 * 1024;

/** Largest error response body kept to read its message (64 KiB). */
export const ERROR_BODY_LIMIT = 64 * 1024;

/** What one observed request left behind when it finished. */
export interface RequestOutcome {
  readonly activity: NewActivity;
  /** The exchange for the capture viewer; null when captures are off. */
  readonly capture: CapturedExchange | null;
}

export interface RequestRecorderOptions {
  readonly start: RequestStart;
  readonly clock: Clock;
  /** The request's in-flight entry, told about headers, bytes and the end. */
  readonly inFlight: InFlightHandle;
  /** Bytes a capture may hold (`captureBuffer`); 0 when captures are off. */
  readonly captureLimit: number;
  /**
   * Whether the outcome becomes an activity entry (default true). False
   * for a GET, which only the metrics hear of: its response body is then
   * neither kept nor read for usage or an error message.
   */
  readonly recorded?: boolean;
  /** Called once, from `finished()`; must not throw or block. */
  readonly onFinished: (outcome: RequestOutcome) => void;
}

const SSE_TYPE = /text\/event-stream/i;
/**
 * Bodies read for their usage besides event streams: JSON, and the JSON
 * an upstream labels `text/plain` or not at all (llama-swap tries every
 * body; audio and images are left alone here, as they hold no usage).
 */
const USAGE_TYPE = /json|^\s*text\/plain|^\s*$/i;

/**
 * The observer's side of one request, fed by the proxy as the request
 * passes: it follows usage in SSE streams as they go, keeps bounded copies
 * of bodies (the request body only when captures are on; the response body
 * up to what captures, the usage parser or the error message need), marks
 * the first upstream body chunk as the time to first token, and at the end
 * hands one `RequestOutcome` to `onFinished`. A gzip or deflate body is
 * decoded for the usage parser and the capture; one that does not decode
 * records the reason as its error and keeps no capture. Only a 200 answer
 * has its tokens read; any other status records none, as llama-swap does.
 *
 * Every call does work proportional to its own chunk only; nothing waits.
 */
export class RequestRecorder implements RequestObservation {
  readonly signal: AbortSignal;
  #options: RequestRecorderOptions;
  #startedAt: number;
  #requestBody: Uint8Array | null = null;
  #status = 0;
  #headers: Headers | null = null;
  #contentType = "";
  #streamUsage: StreamUsageTracker | null = null;
  #body: BoundedBytes | null = null;
  /** Labels the proxy added after the start (`fifo_priority`). */
  #labels: Record<string, string> | null = null;
  #done = false;

  constructor(options: RequestRecorderOptions) {
    this.#options = options;
    this.#startedAt = options.clock.now();
    this.signal = options.inFlight.signal;
  }

  requestBody(bytes: Uint8Array<ArrayBuffer> | null): void {
    const limit = this.#options.captureLimit;
    if (bytes && bytes.length > 0 && bytes.length <= limit) {
      this.#requestBody = ownArray(bytes);
    }
  }

  responseStarted(status: number, headers: Headers): void {
    if (this.#done) return;
    this.#status = status;
    this.#headers = headers;
    this.#contentType = headers.get("content-type") ?? "";
    this.#options.inFlight.responseStarted(headers);
    if (this.#options.recorded === false) return;
    const streamed = SSE_TYPE.test(this.#contentType);
    if (streamed) {
      this.#streamUsage = new StreamUsageTracker({
        startedAt: this.#startedAt,
      });
    }
    const wanted = Math.max(
      this.#options.captureLimit,
      !streamed && USAGE_TYPE.test(this.#contentType) ? USAGE_BODY_LIMIT : 0,
      status === 200 ? 0 : ERROR_BODY_LIMIT,
    );
    this.#body = new BoundedBytes(wanted);
  }

  chunk(bytes: Uint8Array): void {
    if (this.#done) return;
    if (this.#streamUsage) {
      this.#streamUsage.markFirstContent(this.#options.clock.now());
      this.#streamUsage.push(bytes);
    }
    this.#body?.push(bytes);
    this.#options.inFlight.progress(bytes.length);
  }

  /**
   * Adds a label to the activity entry's metadata, over any start label of
   * the same key. The in-flight entry keeps the labels it started with.
   */
  annotate(key: string, value: string): void {
    if (this.#done) return;
    this.#labels = { ...this.#labels, [key]: value };
  }

  /**
   * Ends the in-flight entry and reports the outcome. `status` is what the
   * client was answered; `error` (the proxy's own failure text, or why the
   * stream ended early) becomes the entry's `error_msg`. Only the first
   * call counts.
   */
  finished(result: { status: number; error?: string }): void {
    if (this.#done) return;
    this.#done = true;
    const now = this.#options.clock.now();
    this.#options.inFlight.finish();

    // The records read the body decoded (the client got it as it came).
    const decoded = decodeBody(
      this.#body?.bytes() ?? null,
      this.#headers?.get("content-encoding") ?? null,
      this.#body?.limit ?? 0,
    );
    const body = decoded.ok ? decoded.bytes : null;
    const start = this.#options.start;
    const activity: NewActivity = {
      timestamp: this.#startedAt,
      model: start.model,
      reqPath: start.path,
      respContentType: this.#contentType,
      respStatusCode: result.status,
      tokens: result.status === 200
        ? this.#tokens(body)
        : unknownTokenMetrics(),
      durationMs: Math.max(0, now - this.#startedAt),
      ttftMs: this.#streamUsage?.ttftMs ?? null,
      errorMsg: result.error ??
        (decoded.ok ? undefined : decoded.error) ??
        (result.status === 200
          ? ""
          : extractErrorMessage(body ?? "", result.status)),
      metadata: this.#labels
        ? { ...start.metadata, ...this.#labels }
        : start.metadata,
    };
    this.#options.onFinished({
      activity,
      capture: decoded.ok ? this.#capture(body) : null,
    });
  }

  #tokens(body: Uint8Array | null): TokenMetrics {
    if (this.#streamUsage) return this.#streamUsage.finish();
    if (!body || !USAGE_TYPE.test(this.#contentType)) {
      return unknownTokenMetrics();
    }
    return parseUsage(body, this.#contentType, this.#options.start.path);
  }

  #capture(body: Uint8Array | null): CapturedExchange | null {
    if (this.#options.captureLimit === 0 || !this.#headers) return null;
    if (body && body.length > this.#options.captureLimit) return null;
    return buildCapture({
      reqPath: this.#options.start.path,
      reqHeaders: this.#options.start.headers,
      reqBody: this.#requestBody,
      status: this.#status,
      respHeaders: this.#headers,
      respBody: body,
    });
  }
}
