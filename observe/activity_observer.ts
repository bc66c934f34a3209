import { errorText } from "../lib/mod.ts";
import type { Clock } from "../lib/mod.ts";
import type { Logger } from "../log/mod.ts";
import type {
  ProxyObserver,
  RequestObservation,
  RequestStart,
} from "../proxy/mod.ts";
import type { ActivityStore } from "./activity_store.ts";
import type { CaptureStore } from "./capture_store.ts";
import type { EventBus } from "./event_bus.ts";
import type { InFlightTracker } from "./inflight_tracker.ts";
import type { ProxyMetrics } from "./proxy_metrics.ts";
import { type RequestOutcome, RequestRecorder } from "./request_recorder.ts";

export interface ActivityObserverOptions {
  readonly activity: ActivityStore;
  readonly captures: CaptureStore;
  readonly inFlight: InFlightTracker;
  readonly metrics: ProxyMetrics;
  readonly bus: EventBus;
  readonly clock: Clock;
  readonly logger: Logger;
}

/**
 * The proxy's observer: every model-addressed request becomes an in-flight
 * entry while it runs (cancellable through its signal) and, once finished,
 * Prometheus counts; a POST also becomes one activity entry, a capture
 * when captures are on, and an `activity` event.
 *
 * Runs on the proxy's hot path: per chunk it only does what
 * `RequestRecorder` does. Once the response body has ended the entry is
 * queued for the store's next batched write; its capture is stored and
 * its `activity` event published when that write has given it an ID. A
 * failed insert is logged and never reaches the client.
 */
export class ActivityObserver implements ProxyObserver {
  #options: ActivityObserverOptions;
  #log: Logger;

  constructor(options: ActivityObserverOptions) {
    this.#options = options;
    this.#log = options.logger.child("activity");
  }

  requestStarted(start: RequestStart): RequestObservation {
    const inFlight = this.#options.inFlight.start({
      model: start.model,
      reqPath: start.path,
      method: start.method,
      reqHeaders: start.headers,
      remoteAddr: start.remoteIp ?? "",
      metadata: start.metadata,
    });
    // Only POSTs become activity, as in llama-swap: a GET such as `/props`
    // or `GET /v1/audio/voices` is in flight and counted, nothing more.
    const recorded = start.method === "POST";
    return new RequestRecorder({
      start,
      clock: this.#options.clock,
      inFlight,
      captureLimit: recorded ? this.#options.captures.capacityBytes : 0,
      recorded,
      onFinished: (outcome) => this.#record(outcome, recorded),
    });
  }

  #record({ activity, capture }: RequestOutcome, recorded: boolean): void {
    const { metrics, captures, bus } = this.#options;
    metrics.requestFinished(
      activity.model,
      activity.reqPath,
      activity.respStatusCode,
      activity.durationMs,
    );
    if (!recorded) return;
    metrics.tokens(
      activity.model,
      activity.tokens.inputTokens,
      activity.tokens.outputTokens,
    );

    this.#options.activity.recordLater(activity, {
      recorded: (id) => {
        if (capture) captures.put(id, capture);
        bus.publish({ type: "activity", data: { id } });
      },
      failed: (error) => {
        this.#log.warn("cannot record activity", {
          model: activity.model,
          path: activity.reqPath,
          error: errorText(error),
        });
      },
    });
  }
}
