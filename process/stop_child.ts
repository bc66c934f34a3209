import { type Clock, delay, settlesWithin } from "../lib/mod.ts";
import type { Logger } from "../log/mod.ts";
import type { ProcessControl } from "./process_control.ts";
import type { RunningChild } from "./running_child.ts";

/**
 * How long output is still read once the child's group is dead. Only a
 * process that left the group can hold the pipes that long; it must not
 * keep a stop waiting.
 */
export const OUTPUT_BACKSTOP_MS = 500;

/**
 * How often a group whose leader has exited is looked at during a stop:
 * first after `GROUP_POLL_MS`, then twice as long each time up to
 * `GROUP_POLL_MAX_MS`, so a group that ends at once is noticed at once and
 * one that takes the whole grace costs a few `/proc` scans a second.
 */
export const GROUP_POLL_MS = 20;
export const GROUP_POLL_MAX_MS = 250;

/**
 * How long a stop waits, after SIGKILL, for the group's last members to
 * die: each goes when it next runs, which on a busy host (or inside a
 * driver call) is not at once, and the next model to start wants the
 * memory they hold.
 */
export const KILLED_GROUP_WAIT_MS = 5000;

export interface StopChildOptions {
  /** Named in log lines. */
  model: string;
  /** How long the child's whole group may take to exit before SIGKILL. */
  graceMs: number;
  /** Sends the polite request: `cmdStop`, or SIGTERM to the group. */
  requestStop: () => void;
  control: ProcessControl;
  clock: Clock;
  log: Logger;
  outputBackstopMs?: number;
}

/**
 * Stops `child` and its process group:
 *
 * 1. asks politely (`requestStop`);
 * 2. waits up to `graceMs` for the leader to exit;
 * 3. once it has, gives the rest of the group what is left of the grace to
 *    exit too, so a server run under a wrapper shell finishes its own
 *    SIGTERM handling after the shell is gone;
 * 4. SIGKILLs the group when anything of it is still alive at the end of
 *    the grace, so nothing outlives it, and waits (up to
 *    `KILLED_GROUP_WAIT_MS`, with a warning past that) until it is gone;
 * 5. finishes the output.
 *
 * A child that had already exited by itself is cleaned up as after a
 * crash (`finishChild()`). Resolves once all that is done (never
 * rejects); `forced` tells whether SIGKILL was needed.
 */
export async function stopChild(
  child: RunningChild,
  options: StopChildOptions,
): Promise<{ forced: boolean }> {
  const { clock, graceMs, log, model } = options;
  if (child.exit !== null) {
    await finishChild(child, options);
    return { forced: false };
  }

  const deadline = clock.now() + graceMs;
  // 1, 2
  options.requestStop();
  const leaderExited = await settlesWithin(child.exited, graceMs, clock);
  // 3
  const groupEnded = leaderExited &&
    await groupEndsBy(child.pid, deadline, options);

  // 4
  const forced = !groupEnded;
  if (forced) {
    log.debug("grace period over, killing process group", {
      model,
      pid: child.pid,
      ms: graceMs,
      leader: leaderExited ? "exited" : "running",
    });
    await killGroup(child, options);
  }

  // 5
  await finishOutput(child, options);
  return { forced };
}

/**
 * Polls until the group led by `pgid` has no live member (true) or
 * `deadline` passes (false). A failure to look counts as "still alive",
 * so the group is killed rather than left behind.
 */
async function groupEndsBy(
  pgid: number,
  deadline: number,
  options: {
    model: string;
    control: ProcessControl;
    clock: Clock;
    log: Logger;
  },
): Promise<boolean> {
  const { clock, control } = options;
  let pause = GROUP_POLL_MS;
  for (;;) {
    try {
      if (!control.groupExists(pgid)) return true;
    } catch (error) {
      options.log.warn("cannot check process group", {
        model: options.model,
        pid: pgid,
        error: String(error),
      });
      return false;
    }
    const left = deadline - clock.now();
    if (left <= 0) return false;
    await delay(Math.min(pause, left), { clock });
    pause = Math.min(pause * 2, GROUP_POLL_MAX_MS);
  }
}

/**
 * Cleans up after `child` has exited: SIGKILL to its group so no grandchild
 * survives (waiting until it is gone), then waits for the output to end,
 * cancelling the pipe readers after `outputBackstopMs` when something
 * outside the group holds them.
 */
export async function finishChild(
  child: RunningChild,
  options: Omit<StopChildOptions, "graceMs" | "requestStop">,
): Promise<void> {
  await child.exited;
  await killGroup(child, options);
  await finishOutput(child, options);
}

/**
 * Waits for the output of an exited child to end, cancelling the pipe
 * readers after `outputBackstopMs` when something outside the group
 * holds them.
 */
async function finishOutput(
  child: RunningChild,
  options: Omit<StopChildOptions, "graceMs" | "requestStop">,
): Promise<void> {
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

/**
 * SIGKILLs the group of `child` and waits until the child has exited and
 * the rest of the group is gone, up to `KILLED_GROUP_WAIT_MS` (a warning
 * says when something outlives that).
 */
async function killGroup(
  child: RunningChild,
  options: {
    model: string;
    control: ProcessControl;
    clock: Clock;
    log: Logger;
  },
): Promise<void> {
  const { model, log } = options;
  try {
    options.control.killGroup(child.pid);
  } catch (error) {
    log.warn("cannot kill process group", {
      model,
      pid: child.pid,
      error: String(error),
    });
  }
  await child.exited;
  const deadline = options.clock.now() + KILLED_GROUP_WAIT_MS;
  if (!await groupEndsBy(child.pid, deadline, options)) {
    log.warn("process group still alive after SIGKILL", {
      model,
      pid: child.pid,
      ms: KILLED_GROUP_WAIT_MS,
    });
  }
}
