import type { ObservabilityFactory } from "../serve/mod.ts";
import { detectHardware } from "./hardware_snapshot.ts";
import { Observability } from "./observability.ts";

/** Names this program in `/api/hardware`'s `capture.detector`. */
export const HARDWARE_DETECTOR_NAME = "llama-swap-deno";

/**
 * The observability of a `ProxyServer`: pass it as the `observability`
 * option. Reads its settings from the server's configuration at start,
 * and starts detecting the host's hardware in the background.
 */
export const createObservability: ObservabilityFactory = (context) =>
  new Observability({
    logs: context.logs,
    logger: context.logger,
    config: context.server.runtime.config,
    dataDir: context.dataDir,
    clock: context.clock,
    profiles: context.server.profiles,
    detectHardware: (signal) =>
      detectHardware({
        detector: {
          name: HARDWARE_DETECTOR_NAME,
          version: context.server.buildInfo.version,
        },
        clock: context.clock,
        signal,
      }),
  });
