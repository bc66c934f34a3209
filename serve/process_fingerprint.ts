import type { ModelConfig } from "../config/mod.ts";

/**
 * The settings a model's child process depends on, as one comparable
 * string: how it is started and stopped (`cmd`, `cmdStop`, `env`), where
 * it listens and how its health is checked (`proxy`, `checkEndpoint`,
 * `healthCheckTimeout`). A config reload keeps a model's running process
 * when its fingerprint is unchanged and replaces it otherwise.
 *
 * Left out on purpose, because they take effect without a restart: the
 * router's rules (`concurrencyLimit`, `unloadTimeout` for evictions and
 * unloads, priorities) and everything the proxy reads per request
 * (aliases, filters, `useModelName`, upstream `timeouts`, loading state,
 * names and metadata). `ttl` and `unloadTimeout` as the process itself
 * uses them (idle unload and its grace) are also left out: a kept process
 * takes them live through `ModelProcess.updateIdleSettings()`.
 *
 * `${PORT}` is substituted before this is computed, so a model whose port
 * number shifted (models using `${PORT}` were added or removed before it
 * in sorted order) counts as changed.
 */
export function processFingerprint(model: ModelConfig): string {
  return JSON.stringify([
    model.cmd,
    model.cmdStop,
    model.env,
    model.proxy,
    model.checkEndpoint,
    model.healthCheckTimeout,
  ]);
}
