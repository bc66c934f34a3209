/**
 * The simulator's process-level behaviour: signals, the timed exit, the
 * grandchild, the pid file, chatty start-up output and idle mode.
 */
import { delay, selfCommand } from "../lib/mod.ts";
import type { Logger, LogSink } from "../log/mod.ts";

const encoder = new TextEncoder();

/** The stop signals the simulator reacts to. */
const STOP_SIGNALS = ["SIGTERM", "SIGINT"] as const;

/**
 * A log sink that writes each line synchronously to `file`, so lines keep
 * their order across stdout and stderr and survive an abrupt exit. Lines are
 * dropped once the reader has closed the pipe (nobody is left to read them).
 */
export function fileSink(file: { writeSync(p: Uint8Array): number }): LogSink {
  let closed = false;
  return {
    write(line) {
      if (closed) return;
      const bytes = encoder.encode(line);
      try {
        for (let at = 0; at < bytes.length;) {
          at += file.writeSync(bytes.subarray(at));
        }
      } catch (error) {
        if (!(error instanceof Deno.errors.BrokenPipe)) throw error;
        closed = true;
      }
    },
  };
}

/**
 * Reacts to SIGTERM and SIGINT: with `ignore`, logs and keeps running (only
 * SIGKILL ends the process then); otherwise logs, waits `stopMs` and calls
 * `exit(0)` once. Returns a function that removes the listeners.
 */
export function handleStopSignals(options: {
  stopMs: number;
  ignore: boolean;
  log: Logger;
  exit: (code: number) => void;
}): () => void {
  const { stopMs, ignore, log, exit } = options;
  let stopping = false;
  const listeners = STOP_SIGNALS.map((signal) => {
    const listener = () => {
      if (ignore) return log.warn("ignoring stop signal", { signal });
      if (stopping) return log.info("already stopping", { signal });
      stopping = true;
      log.info("stopping on signal", { signal, stop_ms: stopMs });
      delay(stopMs).then(() => {
        log.info("stopped");
        exit(0);
      });
    };
    Deno.addSignalListener(signal, listener);
    return () => Deno.removeSignalListener(signal, listener);
  });
  return () => listeners.forEach((remove) => remove());
}

/**
 * Calls `exit(1)` `ms` after now, to look like a server that dies while
 * loading. Returns a function that cancels it.
 */
export function exitAfter(
  ms: number,
  log: Logger,
  exit: (code: number) => void,
): () => void {
  const timer = setTimeout(() => {
    log.error("simulated exit while loading", { after_ms: ms, code: 1 });
    exit(1);
  }, ms);
  return () => clearTimeout(timer);
}

/**
 * Starts `simulate --idle` as a child in our process group (not detached),
 * sharing our stdout and stderr so it holds those pipes open like a forked
 * helper of a real server would. Returns its pid; it runs until killed.
 */
export function spawnGrandchild(log: Logger): number {
  const [command, ...args] = selfCommand();
  const child = new Deno.Command(command!, {
    args: [...args, "simulate", "--idle"],
    stdin: "null",
    stdout: "inherit",
    stderr: "inherit",
  }).spawn();
  child.unref();
  log.info("grandchild started", { pid: child.pid });
  return child.pid;
}

/**
 * Writes `{"pid":N}` (with `grandchildPid` when there is one) to `path`,
 * through a temporary file and a rename so a reader never sees half of it.
 */
export async function writePidFile(
  path: string,
  pid: number,
  grandchildPid: number | null,
): Promise<void> {
  const record = grandchildPid === null ? { pid } : { pid, grandchildPid };
  const partial = `${path}.${pid}.tmp`;
  await Deno.writeTextFile(partial, JSON.stringify(record) + "\n");
  await Deno.rename(partial, path);
}

/**
 * Writes `kib` KiB of numbered log lines to stdout and as much to stderr at
 * once. Blocks while a pipe is full, like a real server whose reader has
 * stopped draining it.
 */
export async function writeChatter(kib: number): Promise<void> {
  const text = chatterText(kib);
  await Promise.all([
    writeAll(Deno.stdout, text),
    writeAll(Deno.stderr, text),
  ]);
}

/** `kib` KiB of 64-byte lines `chatter line N ...`. */
export function chatterText(kib: number): Uint8Array {
  const lines: string[] = [];
  for (let i = 0; i < kib * 16; i++) {
    const head = `chatter line ${String(i).padStart(8, "0")} `;
    lines.push(head.padEnd(63, "~") + "\n");
  }
  return encoder.encode(lines.join(""));
}

/**
 * Grandchild mode: listens nowhere and stays alive until a signal ends the
 * process (SIGTERM and SIGINT keep their default meaning here).
 */
export function idleForever(log: Logger): Promise<never> {
  log.info("idle", { pid: Deno.pid });
  return new Promise<never>(() => {
    setInterval(() => {}, 1 << 30);
  });
}

async function writeAll(
  file: { write(p: Uint8Array): Promise<number> },
  bytes: Uint8Array,
): Promise<void> {
  for (let at = 0; at < bytes.length;) {
    at += await file.write(bytes.subarray(at));
  }
}
