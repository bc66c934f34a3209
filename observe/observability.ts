import type { Hono } from "hono";
import { join } from "node:path";
import type { Config } from "../config/types.ts";
import { type Clock, errorText, systemClock } from "../lib/mod.ts";
import type { Logger, LogHub } from "../log/mod.ts";
import type { ProxyEnv } from "../proxy/mod.ts";
import { ActivityObserver } from "./activity_observer.ts";
import { ActivityStore } from "./activity_store.ts";
import { mountApiRoutes } from "./api_routes.ts";
import { CaptureStore } from "./capture_store.ts";
import { EventBus, type EventSubscription } from "./event_bus.ts";
import type { EventMessage } from "./event_messages.ts";
import { InFlightTracker } from "./inflight_tracker.ts";
import {
  type DetectHardware,
  HardwareDetection,
} from "./hardware_detection.ts";
import { mountHostRoutes } from "./host_routes.ts";
import { forwardLogs } from "./log_forwarder.ts";
import { mountLogRoutes } from "./log_routes.ts";
import { refuseOtherMethods } from "./method_not_allowed.ts";
import { modelStatuses } from "./model_status.ts";
import { OpenStreams } from "./open_streams.ts";
import {
  PerformanceMonitor,
  type PerformanceSources,
} from "./performance_monitor.ts";
import { ProxyMetrics, type ProxyMetricsOptions } from "./proxy_metrics.ts";
import {
  type ObservedRuntime,
  queueSnapshot,
  watchRuntime,
} from "./runtime_watch.ts";

/** Activity entries kept when `metricsMaxInMemory` is 0 or less. */
export const DEFAULT_ACTIVITY_ROWS = 1000;

export interface ObservabilityOptions {
  readonly logs: LogHub;
  readonly logger: Logger;
  /**
   * The configuration at start. Where activity is stored, how much of it
   * and how many captures are kept are read once from it; changing them
   * takes a restart.
   */
  readonly config: Config;
  /** Holds `activity.db` when set; null keeps activity in memory. */
  readonly dataDir: string | null;
  readonly clock?: Clock;
  /** Seams for the `/proc` reads behind `/metrics` (tests). */
  readonly metrics?: ProxyMetricsOptions;
  /** The active profile, announced as `profileChanged` events. */
  readonly profiles?: ProfileSource;
  /** Seams for the performance monitor's `/proc` reads and `nvidia-smi`. */
  readonly performance?: PerformanceSources;
  /**
   * Detects the host's hardware for `/api/hardware`, started in the
   * background at construction; without it that route answers 503.
   * `createObservability` passes the real detection.
   */
  readonly detectHardware?: DetectHardware;
}

/** Where the active profile's name comes from (the proxy's `ActiveProfile`). */
export interface ProfileSource {
  readonly name: string | null;
  onProfileChanged(listener: (active: string | null) => void): () => void;
}

/**
 * Everything the proxy shows about itself: the observer that turns
 * requests into in-flight entries, activity, captures and metrics; the
 * `/api/events` bus fed by logs, process states and the router; and the
 * routes that serve them (see `mount()`).
 *
 * `attach()` follows a runtime (the initial one, then each after a
 * reload); `closeStreams()` ends long-lived responses for a shutdown;
 * `close()` also stops every subscription and closes the database.
 */
export class Observability {
  readonly bus: EventBus;
  readonly inFlight: InFlightTracker;
  readonly activity: ActivityStore;
  readonly captures: CaptureStore;
  readonly metrics: ProxyMetrics;
  readonly observer: ActivityObserver;
  /** Host samples for `/api/performance`, following `performance`. */
  readonly performance: PerformanceMonitor;
  /** The `/api/hardware` snapshot; null without a detector. */
  readonly hardware: HardwareDetection | null;
  readonly #logs: LogHub;
  readonly #streams = new OpenStreams();
  readonly #stopForwarding: (() => void)[];
  readonly #profiles: ProfileSource | null;
  #runtime: ObservedRuntime | null = null;
  #unwatch: (() => void) | null = null;
  #closed = false;

  constructor(options: ObservabilityOptions) {
    const clock = options.clock ?? systemClock;
    const log = options.logger.child("observe");
    const config = options.config;
    this.#logs = options.logs;

    this.bus = new EventBus({ log: options.logger.child("events") });
    this.captures = new CaptureStore({
      captureBufferMiB: Math.max(0, config.captureBuffer),
    });
    this.activity = openActivityStore({
      path: activityStorePath(config, options.dataDir),
      maxRows: config.metricsMaxInMemory > 0
        ? config.metricsMaxInMemory
        : DEFAULT_ACTIVITY_ROWS,
      clock,
      hasCapture: (id) => this.captures.has(id),
      log,
    });
    this.inFlight = new InFlightTracker({ bus: this.bus, clock });
    this.metrics = new ProxyMetrics(options.metrics);
    this.observer = new ActivityObserver({
      activity: this.activity,
      captures: this.captures,
      inFlight: this.inFlight,
      metrics: this.metrics,
      bus: this.bus,
      clock,
      logger: options.logger,
    });

    this.performance = new PerformanceMonitor({
      ...options.performance,
      settings: config.performance,
      log: options.logger.child("performance"),
      clock,
    });
    this.hardware = options.detectHardware
      ? new HardwareDetection({
        detect: options.detectHardware,
        log: options.logger.child("hardware"),
        clock,
      })
      : null;

    this.#stopForwarding = [
      forwardLogs(this.#logs.proxy, "proxy", this.bus),
      forwardLogs(this.#logs.upstream, "upstream", this.bus),
    ];
    this.bus.setResync("modelStatus", () => this.#modelStatus());
    this.bus.setResync("queue", () => this.#queue());

    this.#profiles = options.profiles ?? null;
    const stopProfiles = this.#profiles?.onProfileChanged((active) => {
      this.bus.publish({ type: "profileChanged", data: { active } });
      this.bus.publish(this.#modelStatus());
    });
    if (stopProfiles) this.#stopForwarding.push(stopProfiles);
  }

  /**
   * Follows `runtime` from now on, dropping the previous one's
   * subscriptions and the metrics of models it no longer has, applies its
   * `performance` settings to the monitor, and publishes the new model
   * list.
   */
  attach(runtime: ObservedRuntime): void {
    if (this.#closed) return;
    this.performance.update(runtime.config.performance);
    const previous = this.#runtime;
    this.#unwatch?.();
    for (const model of Object.keys(previous?.config.models ?? {})) {
      if (!Object.hasOwn(runtime.config.models, model)) {
        this.metrics.forgetModel(model);
      }
    }

    this.#runtime = runtime;
    this.#unwatch = watchRuntime(runtime, {
      bus: this.bus,
      metrics: this.metrics,
    });
    this.bus.publish(this.#modelStatus());
  }

  /**
   * Adds the routes: `/logs`, `/logs/stream[/<id>]`, `/api/events`,
   * `/api/metrics/activity`, `/api/metrics/stats`, `/api/captures/:id`,
   * `POST /api/inflight/:id/cancel`, `/metrics`, `/api/performance` and
   * `/api/hardware`, each answering other methods with 405. Call it where
   * the proxy's auth already applies.
   */
  mount(app: Hono<ProxyEnv>): void {
    mountLogRoutes(app, { logs: this.#logs, streams: this.#streams });
    mountApiRoutes(app, {
      subscribeEvents: () => this.subscribeEvents(),
      activity: this.activity,
      captures: this.captures,
      inFlight: this.inFlight,
      renderMetrics: () => this.renderMetrics(),
    });
    mountHostRoutes(app, {
      performance: this.performance,
      hardware: () => this.hardware?.snapshot ?? null,
    });
    for (
      const path of [
        "/logs",
        "/logs/stream",
        "/logs/stream/*",
        "/api/events",
        "/api/metrics/activity",
        "/api/metrics/stats",
        "/api/captures/:id",
        "/metrics",
        "/api/performance",
        "/api/hardware",
      ]
    ) {
      refuseOtherMethods(app, path, "GET");
    }
    refuseOtherMethods(app, "/api/inflight/:id/cancel", "POST");
  }

  /**
   * A new `/api/events` subscription whose queue starts with the burst a
   * client gets on connect: proxy log history, upstream log history,
   * `modelStatus`, `uiConfig`, `profileChanged`, the in-flight snapshot
   * and our `queue`.
   */
  subscribeEvents(): EventSubscription {
    const initial: EventMessage[] = [
      logHistory("proxy", this.#logs.proxy.text()),
      logHistory("upstream", this.#logs.upstream.text()),
      this.#modelStatus(),
      {
        type: "uiConfig",
        data: {
          activity: {
            session_id: [...(this.#runtime?.config.sessionIdHeaders ?? [])],
          },
        },
      },
      {
        type: "profileChanged",
        data: { active: this.#profiles?.name ?? null },
      },
      { type: "inflight", data: this.inFlight.snapshot() },
      this.#queue(),
    ];
    return this.bus.subscribe(initial);
  }

  /**
   * The `/metrics` exposition: first refreshes the per-model in-flight and
   * queue gauges from the router's snapshot, then reads `/proc` for the
   * proxy and each running model.
   */
  renderMetrics(): Promise<string> {
    const runtime = this.#runtime;
    const childPids = new Map<string, number>();
    if (runtime) {
      const snapshot = runtime.router.snapshot();
      for (const model of Object.keys(runtime.config.models)) {
        this.metrics.setInFlight(model, snapshot.inFlight[model] ?? 0);
      }
      this.metrics.setQueueDepth(snapshot.queue.length);
      for (const [model, process] of runtime.processes) {
        if (process.pid !== null) childPids.set(model, process.pid);
      }
    }
    return this.metrics.render({ childPids });
  }

  /** Ends every `/api/events` and `/logs/stream` response, now and later. */
  closeStreams(): void {
    this.bus.close();
    this.#streams.closeAll();
  }

  /**
   * Ends streams and subscriptions, stops the performance monitor and
   * hardware detection, and closes the database. Idempotent.
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.closeStreams();
    this.performance.close();
    this.hardware?.close();
    this.#unwatch?.();
    this.#unwatch = null;
    for (const stop of this.#stopForwarding) stop();
    this.activity.close();
  }

  #modelStatus(): EventMessage {
    const runtime = this.#runtime;
    return {
      type: "modelStatus",
      data: runtime ? modelStatuses(runtime.config, runtime.processes) : [],
    };
  }

  #queue(): EventMessage {
    const snapshot = this.#runtime?.router.snapshot();
    return {
      type: "queue",
      data: snapshot ? queueSnapshot(snapshot) : { depth: 0, entries: [] },
    };
  }
}

/**
 * Where activity is stored: `config.storePath` when set, else
 * `<dataDir>/activity.db`, else `:memory:`.
 */
export function activityStorePath(
  config: Config,
  dataDir: string | null,
): string {
  if (config.storePath) return config.storePath;
  return dataDir ? join(dataDir, "activity.db") : ":memory:";
}

function logHistory(source: "proxy" | "upstream", data: string): EventMessage {
  return { type: "logData", data: { source, data } };
}

/**
 * Opens the store at `path`; when that fails, warns and keeps activity in
 * memory so the proxy still starts.
 */
function openActivityStore(options: {
  path: string;
  maxRows: number;
  clock: Clock;
  hasCapture: (id: number) => boolean;
  log: Logger;
}): ActivityStore {
  const { log, ...store } = options;
  try {
    return new ActivityStore(store);
  } catch (error) {
    if (store.path === ":memory:") throw error;
    log.warn("cannot open the activity store; keeping activity in memory", {
      path: store.path,
      error: errorText(error),
    });
    return new ActivityStore({ ...store, path: ":memory:" });
  }
}
