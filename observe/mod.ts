/**
 * Observability: token usage parsing, the activity store, captures,
 * Prometheus metrics, the `/api/events` bus, and the routes that serve
 * them (`/logs`, `/logs/stream`, `/api/events`, `/api/metrics/activity`,
 * `/api/metrics/stats`, `/api/captures/:id`, `/api/inflight/:id/cancel`,
 * `/metrics`), and the host's figures (`/api/performance`, `/api/hardware`).
 * `createObservability` plugs all of it into a `ProxyServer`.
 *
 * @module
 */
export {
  createObservability,
  HARDWARE_DETECTOR_NAME,
} from "./create_observability.ts";
export {
  activityStorePath,
  DEFAULT_ACTIVITY_ROWS,
  Observability,
  type ObservabilityOptions,
} from "./observability.ts";
export {
  type ObservedRouter,
  type ObservedRuntime,
  queueSnapshot,
  watchRuntime,
} from "./runtime_watch.ts";
export { ActivityObserver } from "./activity_observer.ts";
export {
  ERROR_BODY_LIMIT,
  type RequestOutcome,
  RequestRecorder,
  USAGE_BODY_LIMIT,
} from "./request_recorder.ts";
export { BoundedBytes } from "./bounded_bytes.ts";
export { capabilityFlags, modelStatuses } from "./model_status.ts";
export { LOG_STREAM_QUEUE_BYTES, LogStream } from "./log_stream.ts";
export { LOG_STREAM_HEADERS, logBufferFor } from "./log_routes.ts";
export { EVENT_STREAM_HEADERS, eventStreamBody } from "./event_stream.ts";
export { OpenStreams } from "./open_streams.ts";

export {
  hasTokenData,
  type TokenMetrics,
  type TokensJson,
  tokensToJson,
  unknownTokenMetrics,
} from "./token_metrics.ts";
export { parseUsage } from "./usage_parser.ts";
export {
  MAX_SSE_LINE_BYTES,
  StreamUsageTracker,
  type StreamUsageTrackerOptions,
} from "./stream_usage_tracker.ts";
export {
  errorMessageFromBody,
  extractErrorMessage,
  MAX_ERROR_MESSAGE_CHARS,
} from "./error_message.ts";

export type { ActivityEntry, NewActivity } from "./activity_entry.ts";
export {
  ActivityQueryError,
  DEFAULT_PAGE_LIMIT,
  MAX_PAGE_LIMIT,
  SORT_COLUMNS,
} from "./activity_query.ts";
export type { ActivityStats, SpeedHistogram } from "./activity_stats.ts";
export {
  type ActivityPage,
  ActivityStore,
  type ActivityStoreOptions,
  FILE_RETENTION_FACTOR,
} from "./activity_store.ts";

export {
  buildCapture,
  type Capture,
  type CapturedExchange,
  type CaptureInput,
  type CaptureJson,
  type CaptureParts,
  capturePartsFor,
  captureToJson,
  parseCaptureId,
} from "./capture.ts";
export {
  captureSize,
  CaptureStore,
  type CaptureStoreOptions,
} from "./capture_store.ts";
export {
  canonicalHeaderName,
  REDACTED,
  redactHeaders,
  SECRET_HEADERS,
} from "./redact.ts";
export { clientIp } from "./client_ip.ts";

export {
  Counter,
  Gauge,
  Histogram,
  type Labels,
  type MetricFamilyInfo,
  MetricsRegistry,
  type MetricType,
  PROMETHEUS_CONTENT_TYPE,
} from "./prometheus.ts";
export {
  parsePrometheusText,
  type PrometheusExposition,
  type PrometheusSample,
} from "./prometheus_parse.ts";
export {
  MAX_LABEL_VALUES,
  metricsMarkdownTable,
  ProxyMetrics,
  type ProxyMetricsOptions,
  type RenderOptions,
} from "./proxy_metrics.ts";
export {
  CLOCK_TICKS_PER_SECOND,
  type ProcessStats,
  readProcessStats,
  type ReadTextFile,
} from "./process_stats.ts";

export {
  GPU_READ_TIMEOUT_MS,
  PerformanceMonitor,
  type PerformanceMonitorOptions,
  type PerformanceSample,
  type PerformanceSamples,
  type PerformanceSettings,
  type PerformanceSources,
  RETENTION_SECONDS,
} from "./performance_monitor.ts";
export type { SystemSample } from "./system_stats.ts";
export type { GpuSample } from "./gpu_stats.ts";
export {
  type DetectHardware,
  HARDWARE_DETECTION_BUDGET_MS,
  HardwareDetection,
  type HardwareDetectionOptions,
} from "./hardware_detection.ts";
export {
  detectHardware,
  type DetectHardwareOptions,
  type HardwareSnapshot,
  type HardwareSources,
} from "./hardware_snapshot.ts";
export {
  type CommandOutput,
  type RunCommand,
  runCommand,
} from "./command_runner.ts";

export {
  type EventMessage,
  type EventType,
  frame,
  type InFlightRequest,
  type InFlightUpdate,
  type LogData,
  type ModelStatus,
  type QueueSnapshot,
  type UiConfig,
} from "./event_messages.ts";
export {
  DEFAULT_SUBSCRIBER_QUEUE,
  EventBus,
  type EventBusOptions,
  EventSubscription,
  type ResyncProvider,
} from "./event_bus.ts";
export {
  type InFlightHandle,
  type InFlightStart,
  InFlightTracker,
  type InFlightTrackerOptions,
  PROGRESS_THROTTLE_MS,
} from "./inflight_tracker.ts";
export { forwardLogs } from "./log_forwarder.ts";
