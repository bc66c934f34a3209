/**
 * Reads Linux `/proc` to inspect processes we did not necessarily start.
 * Every function answers null or an empty list on other platforms, or when
 * the process is gone.
 */

/** What `/proc/<pid>/stat` says about one process. */
export interface ProcStat {
  /** One letter: R, S, D, Z (zombie), T, X (dead), ... */
  readonly state: string;
  readonly parentPid: number;
  readonly groupId: number;
  /** Start time in clock ticks since boot. */
  readonly startTicks: number;
}

/** Linux reports process start times in these units (USER_HZ). */
const TICKS_PER_SECOND = 100;

/** True when `/proc` can be read on this machine. */
export function hasProcFs(): boolean {
  return Deno.build.os === "linux" && readText("/proc/self/stat") !== null;
}

/** The parsed stat line of `pid`, or null when there is none. */
export function readProcStat(pid: number): ProcStat | null {
  const text = readText(`/proc/${pid}/stat`);
  if (text === null) return null;

  // The command name sits in parentheses and may itself contain spaces or
  // parentheses, so the fixed fields are counted from the last ")".
  const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
  const startTicks = Number(fields[19]);
  if (fields.length < 20 || !Number.isFinite(startTicks)) return null;

  return {
    state: fields[0]!,
    parentPid: Number(fields[1]),
    groupId: Number(fields[2]),
    startTicks,
  };
}

/** True for a zombie or a dead entry: the process runs no more code. */
export function isDefunct(stat: ProcStat): boolean {
  return stat.state === "Z" || stat.state === "X";
}

/** The first word of `pid`'s command line, or null when unreadable. */
export function readArgv0(pid: number): string | null {
  const text = readText(`/proc/${pid}/cmdline`);
  if (!text) return null;
  return text.split("\0")[0] ?? null;
}

/** Every live (not defunct) process whose process group is `groupId`. */
export function groupMembers(groupId: number): number[] {
  const members: number[] = [];
  let entries: Iterable<Deno.DirEntry>;
  try {
    entries = Deno.readDirSync("/proc");
  } catch {
    return members;
  }

  for (const entry of entries) {
    if (!/^\d+$/.test(entry.name)) continue;
    const pid = Number(entry.name);
    const stat = readProcStat(pid);
    if (stat && stat.groupId === groupId && !isDefunct(stat)) {
      members.push(pid);
    }
  }
  return members.sort((a, b) => a - b);
}

/** When `pid` started, in ms since the epoch, or null when unknown. */
export function processStartTime(pid: number): number | null {
  const stat = readProcStat(pid);
  const boot = bootTime();
  if (!stat || boot === null) return null;
  return boot + (stat.startTicks / TICKS_PER_SECOND) * 1000;
}

/** Boot time in ms since the epoch, from `/proc/stat`. */
function bootTime(): number | null {
  const match = readText("/proc/stat")?.match(/^btime (\d+)$/m);
  return match ? Number(match[1]) * 1000 : null;
}

function readText(path: string): string | null {
  try {
    return Deno.readTextFileSync(path);
  } catch {
    return null;
  }
}
