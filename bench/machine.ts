/** What the benchmarks ran on, for the results file. */
export interface Machine {
  /** CPU model name from /proc/cpuinfo. */
  readonly cpu: string;
  /** Logical cores the OS reports. */
  readonly cores: number;
  /** Total memory in MiB (0 when unknown). */
  readonly memoryMiB: number;
  /** Operating system name and kernel release. */
  readonly os: string;
  readonly deno: string;
  readonly v8: string;
  /** ISO 8601 date and time of the run, UTC. */
  readonly date: string;
}

/**
 * Reads the CPU, memory and OS description from /proc and /etc/os-release
 * (Linux); fields that cannot be read say "unknown".
 */
export function describeMachine(now = new Date()): Machine {
  const cpuinfo = readText("/proc/cpuinfo");
  const cpu = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ??
    "unknown";
  const memKiB = Number(
    /^MemTotal:\s+(\d+) kB$/m.exec(readText("/proc/meminfo"))?.[1] ?? 0,
  );
  const release = readText("/etc/os-release");
  const distro = /^PRETTY_NAME="?([^"\n]+)"?$/m.exec(release)?.[1] ??
    Deno.build.os;
  return {
    cpu,
    cores: navigator.hardwareConcurrency,
    memoryMiB: Math.round(memKiB / 1024),
    os: `${distro}, kernel ${Deno.osRelease()}`,
    deno: Deno.version.deno,
    v8: Deno.version.v8,
    date: now.toISOString().replace(/\.\d+Z$/, "Z"),
  };
}

/** The machine as the lines of a Markdown list. */
export function formatMachine(machine: Machine): string {
  return [
    `- CPU: ${machine.cpu}, ${machine.cores} logical cores`,
    `- Memory: ${machine.memoryMiB} MiB`,
    `- OS: ${machine.os}`,
    `- Deno ${machine.deno} (V8 ${machine.v8})`,
    `- Date: ${machine.date}`,
  ].join("\n");
}

function readText(path: string): string {
  try {
    return Deno.readTextFileSync(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return "";
    throw error;
  }
}
