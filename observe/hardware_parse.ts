import type {
  AcceleratorInfo,
  CpuInfo,
  EnvironmentInfo,
} from "./hardware_snapshot.ts";

/** Go's names for the architectures Deno reports as in `uname -m`. */
const ARCHITECTURE_NAMES: Readonly<Record<string, string>> = {
  x86_64: "amd64",
  aarch64: "arm64",
  i686: "386",
  armv7l: "arm",
  riscv64gc: "riscv64",
};

/** `vendor_id` values of x86 CPUs. */
const X86_VENDORS: Readonly<Record<string, string>> = {
  GenuineIntel: "Intel",
  AuthenticAMD: "AMD",
  HygonGenuine: "Hygon",
  CentaurHauls: "Centaur",
  Shanghai: "Zhaoxin",
};

/** `CPU implementer` codes of Arm CPUs. */
const ARM_IMPLEMENTERS: Readonly<Record<string, string>> = {
  "0x41": "ARM",
  "0x42": "Broadcom",
  "0x43": "Cavium",
  "0x46": "Fujitsu",
  "0x48": "HiSilicon",
  "0x4e": "NVIDIA",
  "0x50": "Ampere",
  "0x51": "Qualcomm",
  "0x61": "Apple",
  "0xc0": "Ampere",
};

/** The Go-style name of an architecture (`amd64` for `x86_64`). */
export function architectureName(raw: string): string {
  return ARCHITECTURE_NAMES[raw] ?? raw;
}

/**
 * `/etc/os-release` as key -> value: `KEY=value`, `KEY="value"` or
 * `KEY='value'`, with `\` escaping the next character inside double
 * quotes; comments and malformed lines are skipped.
 */
export function parseOsRelease(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of text.split("\n")) {
    const match = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (!match) continue;
    fields.set(match[1]!, unquote(match[2]!.trim()));
  }
  return fields;
}

function unquote(value: string): string {
  const quote = value[0];
  if ((quote !== '"' && quote !== "'") || !value.endsWith(quote)) {
    return value;
  }
  const inner = value.slice(1, -1);
  return quote === '"' ? inner.replace(/\\(.)/g, "$1") : inner;
}

/**
 * The CPU of Linux's `/proc/cpuinfo`: one block per logical CPU. Sockets
 * are the distinct `physical id`s, physical cores the distinct pairs of
 * `physical id` and `core id`; both are null where the kernel does not
 * report them (most Arm boards). The model is `model name` (x86) or
 * `cpu model` (MIPS), else the SoC that Arm kernels name in a trailing
 * `Hardware` line, else null.
 */
export function parseCpuinfo(text: string): CpuInfo {
  const allBlocks = text.split(/\n\s*\n/).map(cpuinfoBlock);
  const blocks = allBlocks.filter((block) => block.has("processor"));
  const first = blocks[0] ?? new Map<string, string>();
  const sockets = new Set<string>();
  const cores = new Set<string>();
  let coresKnown = blocks.length > 0;
  for (const block of blocks) {
    const socket = block.get("physical id");
    const core = block.get("core id");
    if (socket !== undefined) sockets.add(socket);
    if (socket === undefined || core === undefined) coresKnown = false;
    else cores.add(`${socket}:${core}`);
  }

  return {
    vendor: cpuVendor(first),
    model: first.get("model name") ?? first.get("cpu model") ??
      allBlocks.find((block) => block.has("Hardware"))?.get("Hardware") ??
      null,
    socket_count: sockets.size > 0 ? sockets.size : null,
    physical_core_count: coresKnown ? cores.size : null,
    logical_thread_count: blocks.length > 0 ? blocks.length : null,
  };
}

function cpuinfoBlock(block: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of block.split("\n")) {
    const colon = line.indexOf(":");
    if (colon < 0) continue;
    const key = line.slice(0, colon).trim();
    if (!fields.has(key)) fields.set(key, line.slice(colon + 1).trim());
  }
  return fields;
}

function cpuVendor(block: ReadonlyMap<string, string>): string | null {
  const x86 = block.get("vendor_id");
  if (x86 !== undefined) return X86_VENDORS[x86] ?? (x86 || null);
  const implementer = block.get("CPU implementer")?.toLowerCase();
  if (implementer === undefined) return null;
  return ARM_IMPLEMENTERS[implementer] ?? implementer;
}

/** What `containerEnvironment()` looks at. */
export interface ContainerClues {
  /** `KUBERNETES_SERVICE_HOST` is set. */
  readonly kubernetes: boolean;
  /** Podman's `/run/.containerenv`, null when absent. */
  readonly containerenv: string | null;
  /** Docker's `/.dockerenv` exists. */
  readonly dockerenv: boolean;
  /** `/proc/1/cgroup`, null when unreadable. */
  readonly cgroup: string | null;
}

/**
 * The container this process runs in, from what container engines leave
 * behind: podman's `/run/.containerenv` (whose `engine` line gives the
 * version), Docker's `/.dockerenv`, or PID 1's cgroup path. Null fields
 * when none of them is there (a host or a virtual machine).
 */
export function containerEnvironment(clues: ContainerClues): EnvironmentInfo {
  const container = (name: string, version: string | null = null) => ({
    kind: "container",
    name,
    version,
  });
  if (clues.kubernetes) return container("kubernetes");
  if (clues.containerenv !== null) {
    const engine = /^engine="?podman-([^"\s]+)"?$/m.exec(clues.containerenv);
    return container("podman", engine?.[1] ?? null);
  }
  if (clues.dockerenv) return container("docker");

  const cgroup = clues.cgroup ?? "";
  if (/kubepods/.test(cgroup)) return container("kubernetes");
  if (/libpod/.test(cgroup)) return container("podman");
  if (/docker/.test(cgroup)) return container("docker");
  if (/\/lxc[/.]/.test(cgroup)) return container("lxc");
  if (/containerd/.test(cgroup)) return container("containerd");
  return { kind: null, name: null, version: null };
}

/**
 * The GPUs of `nvidia-smi --query-gpu=index,name,memory.total,
 * driver_version,power.limit --format=csv,noheader,nounits`; lines with
 * too few columns are skipped, `[N/A]` figures are null.
 */
export function parseNvidiaAccelerators(csv: string): AcceleratorInfo[] {
  const accelerators: AcceleratorInfo[] = [];
  for (const line of csv.split("\n")) {
    const [index, name, memoryMiB, driver, powerLimit] = line.split(",")
      .map((value) => value.trim());
    if (powerLimit === undefined) continue;
    const mib = optionalNumber(memoryMiB);
    accelerators.push({
      index: optionalNumber(index) ?? accelerators.length,
      kind: "gpu",
      vendor: "NVIDIA",
      model: name || null,
      architecture: null,
      memory: {
        kind: "dedicated",
        capacity_bytes: mib === null ? null : mib * 1024 * 1024,
      },
      driver: { name: "nvidia", version: driver || null },
      power_limit_watts: optionalNumber(powerLimit),
    });
  }
  return accelerators;
}

function optionalNumber(value: string | undefined): number | null {
  const n = value === undefined || value === "" ? NaN : Number(value);
  return Number.isFinite(n) ? n : null;
}
