/** Memory figures of a running process, read from /proc/<pid>/status. */
export interface MemoryStatus {
  /** Resident set size now, in KiB. */
  readonly rssKiB: number;
  /** Peak resident set size since start or the last `resetPeakRss()`. */
  readonly peakKiB: number;
}

/** Reads `VmRSS` and `VmHWM` of `pid`; null when the process is gone. */
export function readMemory(pid: number): MemoryStatus | null {
  let status: string;
  try {
    status = Deno.readTextFileSync(`/proc/${pid}/status`);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return null;
    throw error;
  }
  const field = (name: string) =>
    Number(new RegExp(`^${name}:\\s+(\\d+) kB$`, "m").exec(status)?.[1] ?? 0);
  return { rssKiB: field("VmRSS"), peakKiB: field("VmHWM") };
}

/**
 * Resets the kernel's peak RSS (`VmHWM`) of `pid` to its current RSS, so
 * a later reading is the peak of what came after. False when the kernel
 * refused (not permitted, or the process is gone).
 */
export function resetPeakRss(pid: number): boolean {
  try {
    Deno.writeTextFileSync(`/proc/${pid}/clear_refs`, "5");
    return true;
  } catch (error) {
    if (
      error instanceof Deno.errors.PermissionDenied ||
      error instanceof Deno.errors.NotFound
    ) {
      return false;
    }
    throw error;
  }
}

/**
 * Samples a process's RSS every `everyMs` until stopped, so a peak is
 * seen even where `VmHWM` cannot be reset.
 */
export class RssSampler {
  readonly samples: { at: number; rssKiB: number }[] = [];
  readonly #pid: number;
  readonly #timer: ReturnType<typeof setInterval>;

  constructor(pid: number, everyMs: number) {
    this.#pid = pid;
    this.#sample();
    this.#timer = setInterval(() => this.#sample(), everyMs);
  }

  /** Highest RSS sampled, in KiB. */
  get maxKiB(): number {
    return Math.max(0, ...this.samples.map((s) => s.rssKiB));
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#sample();
  }

  #sample(): void {
    const memory = readMemory(this.#pid);
    if (memory) {
      this.samples.push({ at: performance.now(), rssKiB: memory.rssKiB });
    }
  }
}
