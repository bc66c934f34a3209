/** Assembles a running proxy from a config: processes, router, HTTP. */
export { LoadTimes } from "./load_times.ts";
export { preloadModels } from "./preload.ts";
export { buildRuntime, type Runtime, type RuntimeDeps } from "./runtime.ts";
export {
  type ObservabilityFactory,
  type ObservabilityParts,
  ProxyServer,
  type ServerOptions,
  SHUTDOWN_BUDGET_MS,
} from "./server.ts";
