/**
 * The seam between a model's process and the operating system: starting a
 * child as the leader of its own process group and signalling that group.
 *
 * `posixProcessControl` is the production default on Linux and macOS. A
 * Windows version (job objects, `taskkill /T`) would implement the same
 * interface; none exists yet, so on Windows group signals reach only the
 * direct child.
 */
import { groupMembers, hasProcFs, isDefunct, readProcStat } from "./proc_fs.ts";

/** How a child ended: its exit code, and the signal that killed it. */
export interface ChildExit {
  readonly code: number;
  readonly signal: Deno.Signal | null;
}

/** A started child whose output the caller must read to the end. */
export interface SpawnedChild {
  readonly pid: number;
  readonly stdout: ReadableStream<Uint8Array>;
  readonly stderr: ReadableStream<Uint8Array>;
  /** Resolves once the child has exited, whatever holds its pipes. */
  readonly status: Promise<ChildExit>;
}

export interface ProcessControl {
  /**
   * Runs `argv[0]` directly (no shell) with our environment plus `env`, as
   * the leader of a new process group, stdin closed, stdout and stderr
   * piped. Throws when the program cannot be executed.
   */
  spawn(
    argv: readonly string[],
    env: Readonly<Record<string, string>>,
  ): SpawnedChild;

  /**
   * Asks the group led by `pid` to stop (SIGTERM), or the process alone
   * when it has no group. False: no such process or group.
   */
  terminateGroup(pid: number): boolean;

  /** SIGKILL to the group led by `pid`. False: no such group or process. */
  killGroup(pid: number): boolean;

  /** True while `pid` exists and is not a zombie. */
  isAlive(pid: number): boolean;

  /**
   * True while the group led by `pid` has a member that is not a zombie,
   * its leader gone or not. Where there are no groups (Windows), whether
   * `pid` itself still runs.
   */
  groupExists(pid: number): boolean;
}

/** Starts children with `Deno.Command` and signals them with `Deno.kill`. */
export const posixProcessControl: ProcessControl = {
  spawn(argv, env) {
    const [program, ...args] = argv;
    if (program === undefined) throw new Error("empty command");
    const child = new Deno.Command(program, {
      args,
      env: { ...env },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      detached: true,
    }).spawn();
    const status = child.status.then(({ code, signal }) => ({ code, signal }));
    return {
      pid: child.pid,
      stdout: child.stdout,
      stderr: child.stderr,
      status,
    };
  },

  terminateGroup(pid) {
    return signalGroup(pid, "SIGTERM");
  },

  killGroup(pid) {
    return signalGroup(pid, "SIGKILL");
  },

  isAlive: processAlive,

  groupExists(pid) {
    if (Deno.build.os === "windows") return processAlive(pid);
    // kill(-pid, 0) is cheap and answers for most stops; zombies (which a
    // PID 1 that does not reap may keep forever) count only without /proc.
    if (!probeProcess(-pid)) return false;
    return hasProcFs() ? groupHasLiveMember(pid) : true;
  },
};

/** Groups whose live members `groupHasLiveMember()` remembers. */
const REMEMBERED_GROUPS = 16;
/** The live members last found per group, oldest group first. */
const knownMembers = new Map<number, number[]>();

/**
 * True while the group led by `pgid` has a member that is no zombie. The
 * members found last time are looked at first (one `/proc` file each);
 * only when none of them is left is all of `/proc` scanned again (a few
 * tens of milliseconds on a busy host, with the event loop blocked), so a
 * stop that polls a group whose members linger scans about once per
 * member that goes, not once per poll.
 */
function groupHasLiveMember(pgid: number): boolean {
  const known = knownMembers.get(pgid);
  if (known?.some((pid) => isLiveMember(pid, pgid))) return true;
  knownMembers.delete(pgid);
  const members = groupMembers(pgid);
  if (members.length === 0) return false;
  knownMembers.set(pgid, members);
  if (knownMembers.size > REMEMBERED_GROUPS) {
    knownMembers.delete(knownMembers.keys().next().value!);
  }
  return true;
}

/** `pid` is alive, no zombie, and (still) in group `pgid`. */
function isLiveMember(pid: number, pgid: number): boolean {
  const stat = readProcStat(pid);
  return stat !== null && stat.groupId === pgid && !isDefunct(stat);
}

function processAlive(pid: number): boolean {
  if (hasProcFs()) {
    const stat = readProcStat(pid);
    return stat !== null && !isDefunct(stat);
  }
  return probeProcess(pid);
}

/** Signals the group `-pid`, falling back to `pid` alone. */
function signalGroup(pid: number, signal: Deno.Signal): boolean {
  if (Deno.build.os !== "windows" && sendSignal(-pid, signal)) return true;
  return sendSignal(pid, signal);
}

/** False when the target does not exist; other failures are thrown. */
function sendSignal(target: number, signal: Deno.Signal): boolean {
  try {
    Deno.kill(target, signal);
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}

/**
 * Signal 0 checks that a process (or, for `-pgid`, a member of that
 * group) exists without disturbing it. Deno's
 * `Signal` type only lists real signals, but `Deno.kill` passes the number
 * through to kill(2). A zombie still counts as existing here.
 */
function probeProcess(pid: number): boolean {
  try {
    Deno.kill(pid, 0 as unknown as Deno.Signal);
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    if (error instanceof Deno.errors.PermissionDenied) return true;
    throw error;
  }
}
