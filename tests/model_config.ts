import type { ModelConfig } from "../config/types.ts";

/**
 * A complete `ModelConfig` for tests and benchmarks that build processes
 * or routers without the loader: the loader's defaults, a command that
 * does nothing and no health check; `overrides` win.
 */
export function testModelConfig(
  id: string,
  overrides: Partial<Omit<ModelConfig, "id">> = {},
): ModelConfig {
  return {
    cmd: "true",
    cmdStop: "",
    proxy: "http://127.0.0.1:1",
    checkEndpoint: "none",
    ttl: 0,
    unloadTimeout: 10,
    healthCheckTimeout: 120,
    aliases: [],
    env: [],
    name: "",
    description: "",
    metadata: {},
    unlisted: false,
    useModelName: "",
    concurrencyLimit: 10,
    sendLoadingState: false,
    loadingStateFormat: "reasoning",
    filters: { stripParams: "", strip: [], setParams: {}, setParamsByID: {} },
    timeouts: {
      connect: 30,
      keepalive: 30,
      responseHeader: 0,
      tlsHandshake: 10,
      expectContinue: 1,
      idleConn: 90,
    },
    capabilities: null,
    compat: { ignoreWebsockets: false },
    macros: [],
    port: null,
    ...overrides,
    id,
  };
}
