import type { ReadTextFile } from "./process_stats.ts";
import { readOptional } from "./read_optional.ts";

/** Bytes received and sent by one network interface since boot. */
export interface NetIo {
  readonly name: string;
  readonly bytes_recv: number;
  readonly bytes_sent: number;
}

/**
 * One `sys_stats` entry of `GET /api/performance`, in llama-swap's field
 * names. Memory figures are whole MiB; CPU figures are percentages.
 */
export interface SystemSample {
  /** RFC 3339, UTC, millisecond precision. */
  readonly timestamp: string;
  readonly cpu_util_per_core: readonly number[];
  readonly mem_total_mb: number;
  /** Total minus what the kernel reports as available. */
  readonly mem_used_mb: number;
  /** `MemFree`: memory not used for anything, caches included. */
  readonly mem_free_mb: number;
  readonly swap_total_mb: number;
  readonly swap_used_mb: number;
  readonly load_avg_1: number;
  readonly load_avg_5: number;
  readonly load_avg_15: number;
  readonly net_io: readonly NetIo[];
}

/** Busy and total jiffies of one CPU, from a `cpuN` line of `/proc/stat`. */
export interface CpuTimes {
  readonly busy: number;
  readonly total: number;
}

/**
 * Reads host-wide figures from Linux's `/proc` for the performance
 * monitor, remembering each core's CPU times so that the next read can
 * report the utilisation in between. The first read reports utilisation
 * since boot. Files that are missing (another OS) or unreadable leave
 * their fields at zero or empty; `read()` rejects only on unexpected I/O
 * failures.
 */
export class SystemStatsReader {
  readonly #readTextFile: ReadTextFile;
  #previousCpu: ReadonlyMap<number, CpuTimes> = new Map();

  constructor(readTextFile: ReadTextFile = Deno.readTextFile) {
    this.#readTextFile = readTextFile;
  }

  /** A sample stamped `at` (milliseconds since the epoch). */
  async read(at: number): Promise<SystemSample> {
    const read = (path: string) => readOptional(path, this.#readTextFile);
    const [stat, meminfo, loadavg, netDev] = await Promise.all([
      read("/proc/stat"),
      read("/proc/meminfo"),
      read("/proc/loadavg"),
      read("/proc/net/dev"),
    ]);

    const cpu = stat === null ? new Map() : parseCpuTimes(stat);
    const utilisation = cpuUtilisation(this.#previousCpu, cpu);
    this.#previousCpu = cpu;
    const [load1, load5, load15] = parseLoadAverage(loadavg ?? "");
    return {
      timestamp: new Date(at).toISOString(),
      cpu_util_per_core: utilisation,
      ...memoryFigures(parseMeminfo(meminfo ?? "")),
      load_avg_1: load1,
      load_avg_5: load5,
      load_avg_15: load15,
      net_io: parseNetDev(netDev ?? ""),
    };
  }
}

/**
 * Each core's times from `/proc/stat`, by core number; the aggregate
 * `cpu` line is left out. Busy time is everything but `idle` and
 * `iowait`; the total counts user through steal (guest time is already
 * part of user time, so it is not added again).
 */
export function parseCpuTimes(stat: string): Map<number, CpuTimes> {
  const cores = new Map<number, CpuTimes>();
  for (const line of stat.split("\n")) {
    const match = /^cpu(\d+)\s+(.*)$/.exec(line);
    if (!match) continue;
    const fields = match[2]!.trim().split(/\s+/).slice(0, 8).map(Number);
    if (fields.length < 4 || fields.some((n) => !Number.isFinite(n))) continue;
    const total = fields.reduce((sum, n) => sum + n, 0);
    const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
    cores.set(Number(match[1]), { busy: total - idle, total });
  }
  return cores;
}

/**
 * Percent busy per core between two readings, in core order, rounded to
 * two decimals. A core absent from `previous` is measured since boot; a
 * core whose counters did not move reads 0.
 */
export function cpuUtilisation(
  previous: ReadonlyMap<number, CpuTimes>,
  current: ReadonlyMap<number, CpuTimes>,
): number[] {
  const cores = [...current.keys()].sort((a, b) => a - b);
  return cores.map((core) => {
    const now = current.get(core)!;
    const before = previous.get(core) ?? { busy: 0, total: 0 };
    const total = now.total - before.total;
    const busy = now.busy - before.busy;
    if (total <= 0 || busy < 0) return 0;
    return Math.round(Math.min(100, (busy / total) * 100) * 100) / 100;
  });
}

/** `/proc/meminfo` as field name -> kB (or a bare count for `HugePages_*`). */
export function parseMeminfo(meminfo: string): Map<string, number> {
  const fields = new Map<string, number>();
  for (const line of meminfo.split("\n")) {
    const match = /^([\w()]+):\s*(\d+)/.exec(line);
    if (match) fields.set(match[1]!, Number(match[2]));
  }
  return fields;
}

/**
 * The memory fields of a sample from parsed `/proc/meminfo`. Without
 * `MemAvailable` (kernels before 3.14), free memory plus buffers and page
 * cache counts as available.
 */
export function memoryFigures(meminfo: ReadonlyMap<string, number>): Pick<
  SystemSample,
  | "mem_total_mb"
  | "mem_used_mb"
  | "mem_free_mb"
  | "swap_total_mb"
  | "swap_used_mb"
> {
  const kb = (name: string) => meminfo.get(name) ?? 0;
  const available = meminfo.get("MemAvailable") ??
    kb("MemFree") + kb("Buffers") + kb("Cached");
  const mib = (value: number) => Math.max(0, Math.floor(value / 1024));
  return {
    mem_total_mb: mib(kb("MemTotal")),
    mem_used_mb: mib(kb("MemTotal") - available),
    mem_free_mb: mib(kb("MemFree")),
    swap_total_mb: mib(kb("SwapTotal")),
    swap_used_mb: mib(kb("SwapTotal") - kb("SwapFree")),
  };
}

/** The 1, 5 and 15 minute load averages of `/proc/loadavg`; zeros if absent. */
export function parseLoadAverage(loadavg: string): [number, number, number] {
  const [one, five, fifteen] = loadavg.trim().split(/\s+/).map(Number);
  const valid = (n: number | undefined) =>
    n !== undefined && Number.isFinite(n) ? n : 0;
  return [valid(one), valid(five), valid(fifteen)];
}

/**
 * Every interface of `/proc/net/dev` with its received (first column)
 * and transmitted (ninth column) bytes, in file order. The two header
 * lines and malformed lines are skipped; a name may touch its first
 * number (`eth0:1234`).
 */
export function parseNetDev(netDev: string): NetIo[] {
  const interfaces: NetIo[] = [];
  for (const line of netDev.split("\n")) {
    const colon = line.indexOf(":");
    if (colon < 0) continue;
    const name = line.slice(0, colon).trim();
    const fields = line.slice(colon + 1).trim().split(/\s+/).map(Number);
    const received = fields[0];
    const sent = fields[8];
    if (!name || received === undefined || sent === undefined) continue;
    if (!Number.isFinite(received) || !Number.isFinite(sent)) continue;
    interfaces.push({ name, bytes_recv: received, bytes_sent: sent });
  }
  return interfaces;
}
