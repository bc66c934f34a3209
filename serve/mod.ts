/** Assembles a running proxy from a config: processes, router, HTTP. */
export {
  ConfigWatcher,
  type ConfigWatcherOptions,
  type DirectoryStamp,
  type FileStamp,
  type StatDirectory,
  type StatFile,
  WATCH_INTERVAL_MS,
} from "./config_watcher.ts";
export { LoadTimes } from "./load_times.ts";
export { preloadModels } from "./preload.ts";
export { processFingerprint } from "./process_fingerprint.ts";
export type { ReloadOutcome, TlsFiles } from "./reload.ts";
export {
  buildRuntime,
  type Reconfigured,
  reconfigureRuntime,
  type Runtime,
  type RuntimeDeps,
} from "./runtime.ts";
export { ListenError, ProxyServer, SHUTDOWN_BUDGET_MS } from "./server.ts";
export type {
  ObservabilityFactory,
  ObservabilityParts,
  ServerOptions,
} from "./server_options.ts";
