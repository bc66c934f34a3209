/**
 * Fakes of the host for the performance monitor's and hardware
 * detection's tests: files in place of `/proc` and `/etc`, and a command
 * runner in place of `nvidia-smi`. Production code never imports this
 * file.
 */
import type { CommandOutput, RunCommand } from "./command_runner.ts";
import type { HardwareSnapshot } from "./hardware_snapshot.ts";
import type { ReadTextFile } from "./process_stats.ts";

/** Files by path; a path not set reads as `Deno.errors.NotFound`. */
export class FakeFiles {
  readonly #files: Map<string, string>;
  readonly reads: string[] = [];
  /** When set, every read rejects with it. */
  failWith: Error | null = null;

  constructor(files: Record<string, string> = {}) {
    this.#files = new Map(Object.entries(files));
  }

  set(path: string, text: string): void {
    this.#files.set(path, text);
  }

  readTextFile: ReadTextFile = (path) => {
    this.reads.push(path);
    if (this.failWith) return Promise.reject(this.failWith);
    const text = this.#files.get(path);
    if (text === undefined) {
      return Promise.reject(new Deno.errors.NotFound(`no ${path}`));
    }
    return Promise.resolve(text);
  };
}

/** One call of a `FakeCommands` runner. */
export interface CommandCall {
  readonly program: string;
  readonly args: readonly string[];
  readonly signal: AbortSignal | undefined;
}

/**
 * A `RunCommand` answering with `respond` (by default: the program is
 * not installed) and recording every call.
 */
export class FakeCommands {
  readonly calls: CommandCall[] = [];
  respond: (call: CommandCall) => Promise<CommandOutput> = () =>
    Promise.reject(new Deno.errors.NotFound("not installed"));

  run: RunCommand = (program, args, signal) => {
    const call = { program, args, signal };
    this.calls.push(call);
    return this.respond(call);
  };
}

/** An output that exited with status 0. */
export function succeeded(stdout: string): Promise<CommandOutput> {
  return Promise.resolve({ success: true, stdout });
}

/** An output that exited with a non-zero status. */
export function failed(): Promise<CommandOutput> {
  return Promise.resolve({ success: false, stdout: "" });
}

/** A `/proc/stat` with one `cpuN` line of busy and idle jiffies per core. */
export function procStat(cores: readonly [busy: number, idle: number][]) {
  const lines = cores.map(([busy, idle], i) =>
    `cpu${i} ${busy} 0 0 ${idle} 0 0 0 0 0 0`
  );
  return ["cpu  0 0 0 0 0 0 0 0 0 0", ...lines, "intr 12345", ""].join("\n");
}

export const MEMINFO = [
  "MemTotal:       16384000 kB",
  "MemFree:         4096000 kB",
  "MemAvailable:   12288000 kB",
  "Buffers:          102400 kB",
  "Cached:          6144000 kB",
  "SwapTotal:       2097152 kB",
  "SwapFree:        1048576 kB",
  "HugePages_Total:       0",
  "",
].join("\n");

export const LOADAVG = "0.52 1.25 2.00 1/467 12345\n";

export const NET_DEV = [
  "Inter-|   Receive                                                |  Transmit",
  " face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed",
  "    lo: 1000 10 0 0 0 0 0 0 1000 10 0 0 0 0 0 0",
  "  eth0:2000 20 0 0 0 0 0 0 3000 30 0 0 0 0 0 0",
  "",
].join("\n");

/** The host files a Linux sample reads, with `stat` for `/proc/stat`. */
export function linuxProc(stat: string): Record<string, string> {
  return {
    "/proc/stat": stat,
    "/proc/meminfo": MEMINFO,
    "/proc/loadavg": LOADAVG,
    "/proc/net/dev": NET_DEV,
  };
}

/** A detected snapshot, as a fake detector returns it. */
export const SNAPSHOT: HardwareSnapshot = {
  schema_version: 1,
  captured_at: "2026-01-02T03:04:05.000Z",
  capture: {
    scope: "inference_host",
    method: "detected",
    detector: { name: "llama-swap-deno", version: "1.2.3" },
  },
  architecture: { name: "amd64", raw_name: "x86_64" },
  operating_system: {
    family: "linux",
    name: "Debian GNU/Linux",
    version: "12",
    kernel: "6.8.0",
  },
  environment: { kind: null, name: null, version: null },
  cpu: {
    vendor: "AMD",
    model: "AMD EPYC",
    socket_count: 1,
    physical_core_count: 2,
    logical_thread_count: 2,
  },
  memory: { capacity_bytes: 1024 },
  accelerators: [],
};
