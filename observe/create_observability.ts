import type { ObservabilityFactory } from "../serve/mod.ts";
import { Observability } from "./observability.ts";

/**
 * The observability of a `ProxyServer`: pass it as the `observability`
 * option. Reads its settings from the server's configuration at start.
 */
export const createObservability: ObservabilityFactory = (context) =>
  new Observability({
    logs: context.logs,
    logger: context.logger,
    config: context.server.runtime.config,
    dataDir: context.dataDir,
    clock: context.clock,
    profiles: context.server.profiles,
  });
