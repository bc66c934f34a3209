import { errorText } from "../lib/mod.ts";
import type { Clock } from "../lib/mod.ts";
import type { Logger } from "../log/mod.ts";
import { splitCommand } from "./command_line.ts";
import type { ProcessControl } from "./process_control.ts";
import { type OutputSink, RunningChild } from "./running_child.ts";
import { finishChild } from "./stop_child.ts";

/**
 * How long a `cmdStop` may keep running after the child it stops is gone;
 * then its own group is killed, so a hung stop command cannot leak.
 */
export const STOP_COMMAND_LIMIT_MS = 5000;

export interface StopCommandOptions {
  /** Named in log lines. */
  model: string;
  /** The configured `cmdStop`, `${PID}` still in place; "" for none. */
  cmdStop: string;
  /** The child being stopped. */
  target: RunningChild;
  env: Readonly<Record<string, string>>;
  /** Where the stop command's output goes (the model's log). */
  sinks: readonly OutputSink[];
  control: ProcessControl;
  clock: Clock;
  log: Logger;
  limitMs?: number;
}

/**
 * Delivers the polite stop request to `target`: `cmdStop` when one is set
 * and can run, else SIGTERM to the group. Returns the running `cmdStop`
 * (see `runStopCommand()`), or undefined when a signal was sent instead.
 */
export function requestStop(
  options: StopCommandOptions,
): Promise<void> | undefined {
  if (options.cmdStop.trim() !== "") {
    const running = runStopCommand(options);
    if (running) return running;
  }

  const { control, log, model, target } = options;
  try {
    control.terminateGroup(target.pid);
  } catch (error) {
    log.warn("cannot signal process group", {
      model,
      pid: target.pid,
      error: errorText(error),
    });
  }
  return undefined;
}

/**
 * Starts `cmdStop` for `target` in the background and returns a promise
 * that settles once it has finished (or was killed) and its output is
 * read. Returns null when the command cannot be split or executed; the
 * caller then falls back to a signal.
 */
export function runStopCommand(
  options: StopCommandOptions,
): Promise<void> | null {
  const { target, log, model } = options;
  const text = options.cmdStop.replaceAll("${PID}", String(target.pid));

  let stopper: RunningChild;
  try {
    const argv = splitCommand(text);
    stopper = RunningChild.spawn(
      options.control,
      argv,
      options.env,
      options.sinks,
    );
  } catch (error) {
    log.warn("cannot run cmdStop, sending SIGTERM instead", {
      model,
      pid: target.pid,
      error: errorText(error),
    });
    return null;
  }

  log.debug("cmdStop started", {
    model,
    pid: target.pid,
    stopper: stopper.pid,
  });
  return supervise(stopper, options);
}

async function supervise(
  stopper: RunningChild,
  options: StopCommandOptions,
): Promise<void> {
  const { clock, control, log, model, target } = options;
  const first = await Promise.race([
    stopper.exited.then(() => "stopper" as const),
    target.exited.then(() => "target" as const),
  ]);

  if (first === "target") {
    const limit = options.limitMs ?? STOP_COMMAND_LIMIT_MS;
    const cancel = clock.setTimer(() => {
      log.warn("cmdStop still running after the model exited, killing it", {
        model,
        pid: stopper.pid,
      });
      try {
        control.killGroup(stopper.pid);
      } catch (error) {
        log.warn("cannot kill cmdStop", {
          model,
          pid: stopper.pid,
          error: String(error),
        });
      }
    }, limit);
    await stopper.exited;
    cancel();
  }

  const exit = stopper.exit!;
  if (exit.code !== 0 || exit.signal) {
    log.warn("cmdStop failed", {
      model,
      pid: target.pid,
      code: exit.code,
      signal: exit.signal,
    });
  }
  await finishChild(stopper, { model, control, clock, log });
}
