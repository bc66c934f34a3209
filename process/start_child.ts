import type { ModelConfig } from "../config/types.ts";
import type { Clock } from "../lib/mod.ts";
import { waitUntilHealthy } from "./health_check.ts";
import { launchChild, type LaunchFailure } from "./launch_child.ts";
import { healthUrl, skipsHealthCheck } from "./launch_settings.ts";
import type { ProcessControl } from "./process_control.ts";
import { type OutputSink, RunningChild } from "./running_child.ts";

/**
 * How a start ended. Except for `launchFailed`, a child was spawned and
 * the caller owns it: `ready` serves, `exited` died by itself, while
 * `timeout` and `interrupted` still run and must be stopped.
 */
export type StartOutcome =
  | { readonly kind: "launchFailed"; readonly failure: LaunchFailure }
  | {
    readonly kind: "ready" | "exited" | "timeout" | "interrupted";
    readonly child: RunningChild;
  };

export interface StartChildOptions {
  config: ModelConfig;
  env: Readonly<Record<string, string>>;
  control: ProcessControl;
  sinks: readonly OutputSink[];
  clock: Clock;
  fetch: typeof fetch;
  /** Aborted by a stop or shutdown while starting. */
  signal: AbortSignal;
  /** Called at once with the spawned child, before any wait. */
  onSpawn: (child: RunningChild) => void;
}

/**
 * Spawns the model's command and waits until its health endpoint answers
 * 200 (or at once with `checkEndpoint: none`), the child exits, the
 * `healthCheckTimeout` passes or `signal` aborts. An abort wins over every
 * other outcome, and an exit over a timeout. Never rejects.
 */
export async function startChild(
  options: StartChildOptions,
): Promise<StartOutcome> {
  const { config, signal } = options;
  const launched = launchChild(options);
  if (!(launched instanceof RunningChild)) {
    return { kind: "launchFailed", failure: launched };
  }
  const child = launched;
  options.onSpawn(child);

  let healthy = true;
  if (!skipsHealthCheck(config.checkEndpoint)) {
    const exited = new AbortController();
    child.exited.then(() => exited.abort());
    const outcome = await waitUntilHealthy({
      url: healthUrl(config.proxy, config.checkEndpoint),
      timeoutMs: config.healthCheckTimeout * 1000,
      signal: AbortSignal.any([signal, exited.signal]),
      clock: options.clock,
      fetch: options.fetch,
      probeTimeoutMs: config.timeouts.responseHeader * 1000,
    });
    healthy = outcome === "healthy";
  }

  if (signal.aborted) return { kind: "interrupted", child };
  if (child.exit) return { kind: "exited", child };
  return { kind: healthy ? "ready" : "timeout", child };
}
