import type { Config } from "../config/types.ts";
import type { ModelProcessHandle } from "../process/types.ts";
import type { RouterNotice, RouterSnapshot } from "../router/mod.ts";
import type { EventBus } from "./event_bus.ts";
import type { QueueSnapshot } from "./event_messages.ts";
import { modelStatuses } from "./model_status.ts";
import type { ProxyMetrics } from "./proxy_metrics.ts";

/** The part of the router observability reads. The real `Router` fits. */
export interface ObservedRouter {
  snapshot(): RouterSnapshot;
  onNotice(listener: (notice: RouterNotice) => void): () => void;
}

/** One configuration's live objects, as observability sees them. */
export interface ObservedRuntime {
  readonly config: Config;
  readonly processes: ReadonlyMap<string, ModelProcessHandle>;
  readonly router: ObservedRouter;
}

export interface RuntimeWatchOptions {
  readonly bus: EventBus;
  readonly metrics: ProxyMetrics;
}

/**
 * Follows one runtime until the returned function is called (a reload
 * replaces it): each process state change sets the model's state gauge and
 * publishes a fresh `modelStatus`; router notices feed the swap counters
 * (`swapFinished`) and the queue gauge plus a `queue` event
 * (`queueChanged`). Starts by recording every model's current state and
 * the current queue depth. Listeners only update memory and publish, so
 * they return at once, as the router's loop requires.
 */
export function watchRuntime(
  runtime: ObservedRuntime,
  options: RuntimeWatchOptions,
): () => void {
  const { bus, metrics } = options;
  const stops: (() => void)[] = [];

  for (const [id, process] of runtime.processes) {
    metrics.modelState(id, process.state);
    stops.push(process.onStateChange((change) => {
      metrics.modelState(change.model, change.to);
      bus.publish({
        type: "modelStatus",
        data: modelStatuses(runtime.config, runtime.processes),
      });
    }));
  }

  metrics.setQueueDepth(runtime.router.snapshot().queue.length);
  stops.push(runtime.router.onNotice((notice) => {
    switch (notice.kind) {
      case "swapFinished":
        metrics.swapFinished(notice.model, notice.ms, !notice.error);
        break;
      case "queueChanged":
        metrics.setQueueDepth(notice.depth);
        // Nobody to tell: a client that connects later gets a fresh
        // snapshot (the bus's resync), so skip building this one.
        if (bus.subscriberCount === 0) break;
        bus.publish({
          type: "queue",
          data: queueSnapshot(runtime.router.snapshot()),
        });
        break;
      case "swapStarted":
      case "queued":
      case "granted":
        break;
      default:
        notice satisfies never;
    }
  }));

  return () => {
    for (const stop of stops) stop();
  };
}

/** The `queue` payload: waiting requests in service order. */
export function queueSnapshot(snapshot: RouterSnapshot): QueueSnapshot {
  return {
    depth: snapshot.queue.length,
    entries: snapshot.queue.map((queued) => ({
      model: queued.model,
      position: queued.position,
      waited_ms: queued.waitedMs,
    })),
  };
}
