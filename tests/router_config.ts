import { testModelConfig } from "./model_config.ts";
/** A complete `Config` for router tests, built without the YAML loader. */
import type { Config, ModelConfig, SchedulerConfig } from "../config/mod.ts";

/** Model settings a test may set; the rest get test defaults. */
export type RouterTestModel = Partial<Omit<ModelConfig, "id">>;

export interface RouterTestOptions
  extends Partial<Omit<SchedulerConfig, "use">> {
  /** Whether the one group of all models swaps them (default true). */
  swap?: boolean;
}

/**
 * A config whose models have test defaults and the given settings, all in
 * one `(default)` group that swaps unless `swap` is false.
 */
export function routerTestConfig(
  models: Record<string, RouterTestModel>,
  options: RouterTestOptions = {},
): Config {
  const entries: Record<string, ModelConfig> = {};
  for (const [id, settings] of Object.entries(models)) {
    entries[id] = testModel(id, settings);
  }

  return {
    healthCheckTimeout: 120,
    logLevel: "info",
    logTimeFormat: "",
    logToStdout: "none",
    metricsMaxInMemory: 1000,
    captureBuffer: 0,
    startPort: 5800,
    globalTTL: 0,
    unloadTimeout: 10,
    sendLoadingState: false,
    loadingStateFormat: "reasoning",
    loadingRemarks: null,
    includeAliasesInList: false,
    requestBodyLimit: 64 * 1024 * 1024,
    macros: [],
    apiKeys: [],
    models: entries,
    aliases: {},
    routing: {
      router: {
        use: "group",
        groups: {
          "(default)": {
            swap: options.swap ?? true,
            exclusive: true,
            persistent: false,
            members: Object.keys(entries),
          },
        },
      },
      scheduler: {
        use: "fifo",
        priority: options.priority ?? {},
        maxWait: options.maxWait ?? 0,
      },
    },
    preload: [],
    peers: {},
    performance: { disabled: true, every: 5 },
    upstreamIgnorePaths: [],
    storePath: null,
    sessionIdHeaders: [],
    selectors: {},
    profiles: {},
  };
}

function testModel(id: string, settings: RouterTestModel): ModelConfig {
  return testModelConfig(id, settings);
}
