import { readOptional } from "./read_optional.ts";

/** Resident memory and CPU time of one process. */
export interface ProcessStats {
  /** Resident set size in bytes, or null when unknown. */
  readonly residentBytes: number | null;
  /** User plus system CPU time in seconds, or null when unknown. */
  readonly cpuSeconds: number | null;
}

/** Reads a whole text file; rejects with `Deno.errors.NotFound` if absent. */
export type ReadTextFile = (path: string) => Promise<string>;

/**
 * Kernel clock ticks per second used by `/proc/<pid>/stat` times. Linux
 * reports `USER_HZ`, which is 100 on every mainstream architecture; it is
 * not read from `sysconf` because Deno offers no call for it.
 */
export const CLOCK_TICKS_PER_SECOND = 100;

/**
 * Memory and CPU of process `pid` (or this process for `"self"`) from
 * Linux's `/proc/<pid>/stat` and `/proc/<pid>/status`. Fields are null
 * where the files are missing (not Linux, or the process has exited) or
 * unreadable. Only that one process is measured, not its children: for a
 * model started through a shell or `docker run`, that is the wrapper.
 */
export async function readProcessStats(
  pid: number | "self",
  readTextFile: ReadTextFile = Deno.readTextFile,
): Promise<ProcessStats> {
  const [stat, status] = await Promise.all([
    readOptional(`/proc/${pid}/stat`, readTextFile),
    readOptional(`/proc/${pid}/status`, readTextFile),
  ]);
  return {
    residentBytes: status === null ? null : parseResidentBytes(status),
    cpuSeconds: stat === null ? null : parseCpuSeconds(stat),
  };
}

/**
 * `utime + stime` of a `/proc/<pid>/stat` line, in seconds. The command
 * name in parentheses may hold spaces and `)`, so fields are counted from
 * the last `)`. Null when the line does not have the expected shape.
 */
export function parseCpuSeconds(stat: string): number | null {
  const close = stat.lastIndexOf(")");
  if (close < 0) return null;
  // After ")": state is field 3 of the line, utime 14 and stime 15.
  const fields = stat.slice(close + 2).trim().split(/\s+/);
  const user = Number(fields[11]);
  const system = Number(fields[12]);
  if (!Number.isFinite(user) || !Number.isFinite(system)) return null;
  return (user + system) / CLOCK_TICKS_PER_SECOND;
}

/** `VmRSS` of `/proc/<pid>/status` in bytes; null when absent. */
export function parseResidentBytes(status: string): number | null {
  const match = /^VmRSS:\s*(\d+)\s*kB$/m.exec(status);
  return match ? Number(match[1]) * 1024 : null;
}
