import { errorText } from "../lib/mod.ts";
import type { ModelConfig } from "../config/types.ts";
import { splitCommand } from "./command_line.ts";
import { describeSpawnError } from "./launch_settings.ts";
import type { ProcessControl } from "./process_control.ts";
import { type OutputSink, RunningChild } from "./running_child.ts";

/** Why no child could be started; `detail` reads after "Cannot start …: ". */
export interface LaunchFailure {
  readonly reason: "config" | "spawn";
  readonly detail: string;
  readonly cause?: unknown;
}

export interface LaunchOptions {
  config: ModelConfig;
  /** Added to our own environment. */
  env: Readonly<Record<string, string>>;
  control: ProcessControl;
  sinks: readonly OutputSink[];
}

/**
 * Checks what a start needs (a valid proxy URL, a non-empty command), then
 * spawns `cmd` as the leader of its own process group with its output
 * drained into `sinks`. Never throws: a failure is returned instead.
 */
export function launchChild(
  options: LaunchOptions,
): RunningChild | LaunchFailure {
  const { proxy, cmd } = options.config;
  if (!URL.canParse(proxy)) {
    const detail = proxy.trim() === ""
      ? "no proxy URL is configured"
      : `proxy URL "${proxy}" is not valid`;
    return { reason: "config", detail };
  }

  let argv: string[];
  try {
    argv = splitCommand(cmd);
  } catch (error) {
    const detail = errorText(error);
    return { reason: "spawn", detail, cause: error };
  }

  try {
    return RunningChild.spawn(
      options.control,
      argv,
      options.env,
      options.sinks,
    );
  } catch (error) {
    const detail = `cannot run "${argv[0]}": ${describeSpawnError(error)}`;
    return { reason: "spawn", detail, cause: error };
  }
}
