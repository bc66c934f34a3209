import type { Config } from "../config/types.ts";
import { type Clock, errorText, systemClock } from "../lib/mod.ts";
import type { Logger } from "../log/mod.ts";
import { backgroundTimers } from "./background_timers.ts";
import { type RunCommand, runCommand } from "./command_runner.ts";
import { type GpuSample, NvidiaSmiReader } from "./gpu_stats.ts";
import type { ReadTextFile } from "./process_stats.ts";
import { SampleRing } from "./sample_ring.ts";
import { type SystemSample, SystemStatsReader } from "./system_stats.ts";

/** The `performance` block of the configuration (`every` in seconds). */
export type PerformanceSettings = Config["performance"];

/** How far back samples are kept: capacity is this over `every`. */
export const RETENTION_SECONDS = 3600;

/** How long one `nvidia-smi` run may take before it is killed. */
export const GPU_READ_TIMEOUT_MS = 4_000;

/** Where samples come from; the defaults read the real host. */
export interface PerformanceSources {
  /** Reads `/proc` files; defaults to `Deno.readTextFile`. */
  readonly readTextFile?: ReadTextFile;
  /** Runs `nvidia-smi`; defaults to `Deno.Command`. */
  readonly runCommand?: RunCommand;
}

export interface PerformanceMonitorOptions extends PerformanceSources {
  readonly settings: PerformanceSettings;
  readonly log: Logger;
  /** Stamps and schedules samples; the system clock's timers are unref'd. */
  readonly clock?: Clock;
}

/** What one tick of the monitor measured. */
export interface PerformanceSample {
  readonly system: SystemSample;
  readonly gpus: readonly GpuSample[];
}

/** Samples newer than a time, as `GET /api/performance` lists them. */
export interface PerformanceSamples {
  readonly system: SystemSample[];
  /** Every GPU of every sample, sample by sample. */
  readonly gpus: GpuSample[];
}

/**
 * Samples host CPU, memory, swap, load, network (`/proc`) and NVIDIA GPU
 * figures (`nvidia-smi`) every `performance.every` seconds and keeps an
 * hour of them. The first sample is taken one interval after the start;
 * a sample that fails is skipped (the first failure of a series is
 * logged). Timers never keep the process alive, and `close()` stops them.
 *
 * A monitor built with `disabled: true` never samples: `update()` cannot
 * turn it on, which takes a restart. One built enabled follows
 * `update()`: `disabled` pauses and resumes sampling, a new `every`
 * reschedules it and resizes the hour of samples, keeping the newest.
 */
export class PerformanceMonitor {
  readonly #log: Logger;
  readonly #clock: Clock;
  readonly #setTimer: Clock["setTimer"];
  readonly #system: SystemStatsReader;
  readonly #gpus: NvidiaSmiReader;
  readonly #listeners = new Set<(sample: PerformanceSample) => void>();
  readonly #availableAtStart: boolean;
  #ring: SampleRing<PerformanceSample>;
  #every: number;
  #active: boolean;
  #cancelTimer: (() => void) | null = null;
  /** The sample being taken, if any. */
  #sampling: Promise<void> | null = null;
  #abortGpuRead: AbortController | null = null;
  #failing = false;
  #closed = false;

  constructor(options: PerformanceMonitorOptions) {
    this.#log = options.log;
    this.#clock = options.clock ?? systemClock;
    this.#setTimer = backgroundTimers(this.#clock);
    this.#system = new SystemStatsReader(options.readTextFile);
    this.#gpus = new NvidiaSmiReader({
      runCommand: options.runCommand ?? runCommand,
      log: options.log,
    });
    this.#every = options.settings.every;
    this.#ring = new SampleRing(capacityFor(this.#every));
    this.#availableAtStart = !options.settings.disabled;
    this.#active = this.#availableAtStart;
    this.#schedule(this.#everyMs);
  }

  /** True while sampling is on: answered with samples, not 503. */
  get enabled(): boolean {
    return this.#active;
  }

  /** Samples kept at most: an hour's worth at the current interval. */
  get capacity(): number {
    return this.#ring.capacity;
  }

  /**
   * Applies reloaded settings in place (see the class comment). A monitor
   * disabled at start logs that enabling it takes a restart.
   */
  update(settings: PerformanceSettings): void {
    if (this.#closed) return;
    if (!this.#availableAtStart) {
      if (!settings.disabled) {
        this.#log.info(
          "performance monitoring stays off: it was disabled at start, enabling it takes a restart",
        );
      }
      return;
    }

    const everyChanged = settings.every !== this.#every;
    const wasActive = this.#active;
    this.#every = settings.every;
    this.#active = !settings.disabled;
    if (everyChanged) this.#ring.resize(capacityFor(this.#every));
    if (wasActive !== this.#active || everyChanged) {
      this.#log.info("performance monitoring settings applied", {
        disabled: settings.disabled,
        every: `${settings.every}s`,
      });
    }

    if (!this.#active) this.#stopTimer();
    else if (this.#sampling === null && (everyChanged || !wasActive)) {
      this.#schedule(this.#everyMs);
    }
  }

  /**
   * Samples stamped strictly after `afterMs` (every one when null),
   * oldest first, whether or not sampling is on now.
   */
  samples(afterMs: number | null): PerformanceSamples {
    const kept = this.#ring.after(afterMs);
    return {
      system: kept.map((sample) => sample.system),
      gpus: kept.flatMap((sample) => sample.gpus),
    };
  }

  /** Calls `listener` after each sample is stored; returns an unsubscribe. */
  onSample(listener: (sample: PerformanceSample) => void): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  /** Resolves once no sample is being taken (at once when none is). */
  idle(): Promise<void> {
    return this.#sampling ?? Promise.resolve();
  }

  /** Stops sampling for good and kills a running `nvidia-smi`. Idempotent. */
  close(): void {
    this.#closed = true;
    this.#stopTimer();
    this.#abortGpuRead?.abort();
    this.#listeners.clear();
  }

  get #everyMs(): number {
    return this.#every * 1000;
  }

  #schedule(delayMs: number): void {
    this.#stopTimer();
    if (this.#closed || !this.#active) return;
    this.#cancelTimer = this.#setTimer(() => {
      this.#cancelTimer = null;
      this.#sampling = this.#tick();
    }, Math.max(0, delayMs));
  }

  #stopTimer(): void {
    this.#cancelTimer?.();
    this.#cancelTimer = null;
  }

  /** Takes one sample, then schedules the next one an interval after this. */
  async #tick(): Promise<void> {
    const started = this.#clock.now();
    await this.#sample(started);
    this.#sampling = null;
    this.#schedule(this.#everyMs - (this.#clock.now() - started));
  }

  async #sample(at: number): Promise<void> {
    const abort = new AbortController();
    this.#abortGpuRead = abort;
    const cancelTimeout = this.#setTimer(() => {
      const message = `nvidia-smi took longer than ${GPU_READ_TIMEOUT_MS} ms`;
      abort.abort(new DOMException(message, "TimeoutError"));
    }, GPU_READ_TIMEOUT_MS);
    try {
      const [system, gpus] = await Promise.all([
        this.#system.read(at),
        this.#gpus.read(at, abort.signal),
      ]);
      this.#failing = false;
      if (this.#closed || !this.#active) return;
      this.#store(at, { system, gpus });
    } catch (error) {
      if (!this.#failing) {
        this.#log.warn("cannot sample host performance", {
          error: errorText(error),
        });
      }
      this.#failing = true;
    } finally {
      cancelTimeout();
      this.#abortGpuRead = null;
    }
  }

  #store(at: number, sample: PerformanceSample): void {
    this.#ring.push(at, sample);
    for (const listener of this.#listeners) listener(sample);
  }
}

/** Samples in an hour at one every `every` seconds (at least one). */
function capacityFor(every: number): number {
  return Math.max(1, Math.floor(RETENTION_SECONDS / every));
}
