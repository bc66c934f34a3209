import { type Clock, delay } from "../lib/mod.ts";
import type { Logger } from "../log/mod.ts";
import {
  groupMembers,
  hasProcFs,
  isDefunct,
  processStartTime,
  readArgv0,
  readProcStat,
} from "./proc_fs.ts";
import type { ProcessControl } from "./process_control.ts";
import type { ProcessRecord } from "./registry.ts";

/** A group stopped by `reapOrphanGroup()`. */
export interface ReapedGroup {
  readonly model: string;
  readonly pgid: number;
  /** Members found alive before the group was signalled. */
  readonly pids: readonly number[];
  /** True when SIGTERM was not enough and SIGKILL followed. */
  readonly forced: boolean;
}

/** How long an orphaned group gets to honour SIGTERM. */
export const REAP_GRACE_MS = 2000;
/** How often the group is looked at while it winds down. */
const REAP_POLL_MS = 50;
/**
 * How far a process's start time, as Linux reports it (boot time has whole
 * second precision), may be from the recorded start and still be ours.
 */
const START_TOLERANCE_MS = 2500;

export interface ReapOptions {
  control: ProcessControl;
  clock: Clock;
  log: Logger;
  graceMs?: number;
}

/**
 * Stops the recorded group if it still exists and is still ours; resolves
 * to what was stopped, or null when there was nothing (safe) to stop.
 *
 * The group is ours when its leader still runs the recorded program or
 * started at the recorded time; when the leader is gone, any remaining
 * members of the group are ours, since a group ID cannot be reused while
 * the group has members. This needs Linux `/proc`; elsewhere no group is
 * reaped and a warning says so.
 */
export async function reapOrphanGroup(
  record: ProcessRecord,
  options: ReapOptions,
): Promise<ReapedGroup | null> {
  const { control, clock, log } = options;
  const fields = { model: record.model, pgid: record.pgid };
  if (!hasProcFs()) {
    log.warn("cannot check an orphaned process group here, leaving it", fields);
    return null;
  }

  const pids = ownedMembers(record);
  if (pids.length === 0) {
    log.debug("orphaned process group already gone", fields);
    return null;
  }

  control.terminateGroup(record.pgid);
  const graceMs = options.graceMs ?? REAP_GRACE_MS;
  const deadline = clock.now() + graceMs;
  while (groupMembers(record.pgid).length > 0 && clock.now() < deadline) {
    await delay(REAP_POLL_MS, { clock });
  }

  const forced = groupMembers(record.pgid).length > 0;
  if (forced) control.killGroup(record.pgid);
  log.info("reaped orphaned process group", { ...fields, pids, forced });
  return { model: record.model, pgid: record.pgid, pids, forced };
}

/** Live members of the recorded group, or none when it is not ours. */
function ownedMembers(record: ProcessRecord): number[] {
  const leader = readProcStat(record.pid);
  if (leader && !isDefunct(leader)) {
    if (leader.groupId !== record.pgid) return [];
    if (!sameProgram(record) && !sameStartTime(record)) return [];
  }
  return groupMembers(record.pgid);
}

function sameProgram(record: ProcessRecord): boolean {
  const argv0 = readArgv0(record.pid);
  if (argv0 === null) return false;
  return argv0 === record.argv0 || baseName(argv0) === baseName(record.argv0);
}

function sameStartTime(record: ProcessRecord): boolean {
  const started = processStartTime(record.pid);
  return started !== null &&
    Math.abs(started - record.startedAt) <= START_TOLERANCE_MS;
}

function baseName(path: string): string {
  return path.split(/[\\/]/).pop() ?? path;
}
