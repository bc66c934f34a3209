import { type Clock, settlesWithin } from "../lib/mod.ts";
import type { Logger } from "../log/mod.ts";
import type { ProcessControl } from "./process_control.ts";
import type { RunningChild } from "./running_child.ts";

/**
 * How long output is still read once the child's group is dead. Only a
 * process that left the group can hold the pipes that long; it must not
 * keep a stop waiting.
 */
export const OUTPUT_BACKSTOP_MS = 500;

export interface StopChildOptions {
  /** Named in log lines. */
  model: string;
  /** How long the child may take to exit before SIGKILL. */
  graceMs: number;
  /** Sends the polite request: `cmdStop`, or SIGTERM to the group. */
  requestStop: () => void;
  control: ProcessControl;
  clock: Clock;
  log: Logger;
  outputBackstopMs?: number;
}

/**
 * Stops `child`: asks politely, waits up to the grace, then SIGKILLs the
 * group; afterwards kills whatever is left of the group and finishes its
 * output. Resolves once all that is done (never rejects); `forced` tells
 * whether SIGKILL was needed.
 */
export async function stopChild(
  child: RunningChild,
  options: StopChildOptions,
): Promise<{ forced: boolean }> {
  const { clock, control, log, model } = options;
  let forced = false;

  if (child.exit === null) {
    options.requestStop();
    if (!await settlesWithin(child.exited, options.graceMs, clock)) {
      log.debug("grace period over, killing process group", {
        model,
        pid: child.pid,
        ms: options.graceMs,
      });
      forced = true;
      killGroup(child, options);
      await child.exited;
    }
  }

  await finishChild(child, {
    model,
    control,
    clock,
    log,
    outputBackstopMs: options.outputBackstopMs ?? OUTPUT_BACKSTOP_MS,
  });
  return { forced };
}

/**
 * Cleans up after `child` has exited: SIGKILL to its group so no grandchild
 * survives, then waits for the output to end, cancelling the pipe readers
 * after `outputBackstopMs` when something outside the group holds them.
 */
export async function finishChild(
  child: RunningChild,
  options: Omit<StopChildOptions, "graceMs" | "requestStop">,
): Promise<void> {
  await child.exited;
  killGroup(child, options);

  const backstop = options.outputBackstopMs ?? OUTPUT_BACKSTOP_MS;
  if (!await settlesWithin(child.outputDone, backstop, options.clock)) {
    options.log.debug("output still open after exit, no longer reading it", {
      model: options.model,
      pid: child.pid,
    });
    child.cancelOutput();
    await child.outputDone;
  }
}

function killGroup(
  child: RunningChild,
  options: { model: string; control: ProcessControl; log: Logger },
): void {
  try {
    options.control.killGroup(child.pid);
  } catch (error) {
    options.log.warn("cannot kill process group", {
      model: options.model,
      pid: child.pid,
      error: String(error),
    });
  }
}
