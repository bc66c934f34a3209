import { type Clock, systemClock } from "../lib/mod.ts";
import {
  isMissingProgram,
  type RunCommand,
  runCommand,
} from "./command_runner.ts";
import {
  architectureName,
  containerEnvironment,
  parseCpuinfo,
  parseNvidiaAccelerators,
  parseOsRelease,
} from "./hardware_parse.ts";
import type { ReadTextFile } from "./process_stats.ts";
import { readOptional } from "./read_optional.ts";
import { parseMeminfo } from "./system_stats.ts";

/** `environment`: the container the proxy runs in; nulls when none is seen. */
export interface EnvironmentInfo {
  readonly kind: string | null;
  readonly name: string | null;
  readonly version: string | null;
}

export interface CpuInfo {
  readonly vendor: string | null;
  readonly model: string | null;
  readonly socket_count: number | null;
  readonly physical_core_count: number | null;
  readonly logical_thread_count: number | null;
}

/** One entry of `accelerators`. */
export interface AcceleratorInfo {
  readonly index: number;
  readonly kind: "gpu" | "npu" | "other";
  readonly vendor: string | null;
  readonly model: string | null;
  readonly architecture: string | null;
  readonly memory: {
    readonly kind: string | null;
    readonly capacity_bytes: number | null;
  };
  readonly driver: {
    readonly name: string | null;
    readonly version: string | null;
  };
  readonly power_limit_watts: number | null;
}

/** The body of `GET /api/hardware`, in llama-swap's field names. */
export interface HardwareSnapshot {
  readonly schema_version: 1;
  /** RFC 3339, UTC. */
  readonly captured_at: string;
  readonly capture: {
    readonly scope: "inference_host";
    readonly method: "detected";
    readonly detector: { readonly name: string; readonly version: string };
  };
  readonly architecture: {
    readonly name: string | null;
    readonly raw_name: string | null;
  };
  readonly operating_system: {
    readonly family: string | null;
    readonly name: string | null;
    readonly version: string | null;
    readonly kernel: string | null;
  };
  readonly environment: EnvironmentInfo;
  readonly cpu: CpuInfo;
  readonly memory: { readonly capacity_bytes: number | null };
  readonly accelerators: readonly AcceleratorInfo[];
}

/** Where detection looks; every default reads the real host. */
export interface HardwareSources {
  /** Reads `/proc` and `/etc` files; defaults to `Deno.readTextFile`. */
  readonly readTextFile?: ReadTextFile;
  /** Runs `nvidia-smi`; defaults to `Deno.Command`. */
  readonly runCommand?: RunCommand;
  /** An environment variable; undefined when unset or not readable. */
  readonly env?: (name: string) => string | undefined;
  /** `Deno.build.os` and `Deno.build.arch` unless given. */
  readonly os?: string;
  readonly arch?: string;
  /** The kernel release; `Deno.osRelease()`, null when not allowed. */
  readonly kernel?: () => string | null;
  /** Memory size where `/proc/meminfo` is absent; `Deno.systemMemoryInfo()`. */
  readonly memoryBytes?: () => number | null;
  /** Logical CPUs where `/proc/cpuinfo` is absent; `navigator.hardwareConcurrency`. */
  readonly logicalCpus?: () => number | null;
  /** Stamps `captured_at`. */
  readonly clock?: Clock;
}

export interface DetectHardwareOptions extends HardwareSources {
  /** Named in `capture.detector`. */
  readonly detector: { readonly name: string; readonly version: string };
  /** Kills a running `nvidia-smi` when it aborts. */
  readonly signal?: AbortSignal;
}

const OS_NAMES: Readonly<Record<string, string>> = {
  darwin: "macOS",
  windows: "Windows",
  freebsd: "FreeBSD",
  netbsd: "NetBSD",
  openbsd: "OpenBSD",
};

/**
 * Describes the host, best effort: each part that cannot be read (a file
 * missing on another OS, a denied permission, no `nvidia-smi`) is null or
 * empty rather than a failure. Rejects only on unexpected I/O failures or
 * when `signal` aborts.
 */
export async function detectHardware(
  options: DetectHardwareOptions,
): Promise<HardwareSnapshot> {
  const read = (path: string) =>
    readOptional(path, options.readTextFile ?? Deno.readTextFile);
  const os = options.os ?? Deno.build.os;
  const arch = options.arch ?? Deno.build.arch;
  const [osRelease, cpuinfo, meminfo, environment, accelerators] = await Promise
    .all([
      read("/etc/os-release"),
      read("/proc/cpuinfo"),
      read("/proc/meminfo"),
      detectEnvironment(read, options.env ?? readEnv),
      detectAccelerators(options.runCommand ?? runCommand, options.signal),
    ]);
  options.signal?.throwIfAborted();

  const release = parseOsRelease(osRelease ?? "");
  const cpu = parseCpuinfo(cpuinfo ?? "");
  const memoryKiB = parseMeminfo(meminfo ?? "").get("MemTotal");
  const clock = options.clock ?? systemClock;
  return {
    schema_version: 1,
    captured_at: new Date(clock.now()).toISOString(),
    capture: {
      scope: "inference_host",
      method: "detected",
      detector: { ...options.detector },
    },
    architecture: { name: architectureName(arch), raw_name: arch },
    operating_system: {
      family: os,
      name: release.get("NAME") ?? OS_NAMES[os] ?? null,
      version: release.get("VERSION_ID") ?? release.get("VERSION") ?? null,
      kernel: (options.kernel ?? kernelRelease)(),
    },
    environment,
    cpu: {
      ...cpu,
      logical_thread_count: cpu.logical_thread_count ??
        (options.logicalCpus ?? logicalCpus)(),
    },
    memory: {
      capacity_bytes: memoryKiB !== undefined
        ? memoryKiB * 1024
        : (options.memoryBytes ?? memoryBytes)(),
    },
    accelerators,
  };
}

async function detectEnvironment(
  read: (path: string) => Promise<string | null>,
  env: (name: string) => string | undefined,
): Promise<EnvironmentInfo> {
  const [containerenv, dockerenv, cgroup] = await Promise.all([
    read("/run/.containerenv"),
    read("/.dockerenv"),
    read("/proc/1/cgroup"),
  ]);
  return containerEnvironment({
    kubernetes: Boolean(env("KUBERNETES_SERVICE_HOST")),
    containerenv,
    dockerenv: dockerenv !== null,
    cgroup,
  });
}

/** NVIDIA GPUs by `nvidia-smi`; `[]` when it is missing or fails. */
async function detectAccelerators(
  run: RunCommand,
  signal: AbortSignal | undefined,
): Promise<AcceleratorInfo[]> {
  const args = [
    "--query-gpu=index,name,memory.total,driver_version,power.limit",
    "--format=csv,noheader,nounits",
  ];
  try {
    const output = await run("nvidia-smi", args, signal);
    return output.success ? parseNvidiaAccelerators(output.stdout) : [];
  } catch (error) {
    if (isMissingProgram(error) && !signal?.aborted) return [];
    throw error;
  }
}

function readEnv(name: string): string | undefined {
  try {
    return Deno.env.get(name);
  } catch (error) {
    if (isDenied(error)) return undefined;
    throw error;
  }
}

function kernelRelease(): string | null {
  try {
    return Deno.osRelease() || null;
  } catch (error) {
    if (isDenied(error)) return null;
    throw error;
  }
}

function memoryBytes(): number | null {
  try {
    return Deno.systemMemoryInfo().total || null;
  } catch (error) {
    if (isDenied(error)) return null;
    throw error;
  }
}

/** This process was not granted the access (`--allow-env`, `--allow-sys`). */
function isDenied(error: unknown): boolean {
  return error instanceof Deno.errors.PermissionDenied ||
    error instanceof Deno.errors.NotCapable;
}

function logicalCpus(): number | null {
  return navigator.hardwareConcurrency || null;
}
