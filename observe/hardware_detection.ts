import { type Clock, errorText, systemClock } from "../lib/mod.ts";
import type { Logger } from "../log/mod.ts";
import { backgroundTimers } from "./background_timers.ts";
import type { HardwareSnapshot } from "./hardware_snapshot.ts";

/** How long detection may take before it is given up. */
export const HARDWARE_DETECTION_BUDGET_MS = 10_000;

/** Produces the snapshot; `signal` aborts when the budget runs out. */
export type DetectHardware = (signal: AbortSignal) => Promise<HardwareSnapshot>;

export interface HardwareDetectionOptions {
  readonly detect: DetectHardware;
  readonly log: Logger;
  /** Runs the budget's timer (unref'd on the system clock). */
  readonly clock?: Clock;
  readonly budgetMs?: number;
}

/**
 * The host's hardware, detected once in the background as soon as this
 * is built, so that neither start-up nor any request waits for it.
 * `snapshot` is null while detection runs, and stays null when it failed
 * or ran out of its budget (logged as a warning). `close()` abandons a
 * detection still running (a debug line) and cancels its timer.
 */
export class HardwareDetection {
  /** Settles, never rejecting, once detection succeeded or failed. */
  readonly settled: Promise<void>;
  readonly #abort = new AbortController();
  #snapshot: HardwareSnapshot | null = null;

  constructor(options: HardwareDetectionOptions) {
    this.settled = this.#run(options);
  }

  get snapshot(): HardwareSnapshot | null {
    return this.#snapshot;
  }

  close(): void {
    this.#abort.abort(new DOMException("closed", "AbortError"));
  }

  async #run(options: HardwareDetectionOptions): Promise<void> {
    const budgetMs = options.budgetMs ?? HARDWARE_DETECTION_BUDGET_MS;
    const setTimer = backgroundTimers(options.clock ?? systemClock);
    const signal = this.#abort.signal;
    const stopped = Promise.withResolvers<never>();
    signal.addEventListener("abort", () => stopped.reject(signal.reason), {
      once: true,
    });
    const cancelTimer = setTimer(() => {
      const message = `hardware detection took longer than ${budgetMs} ms`;
      this.#abort.abort(new DOMException(message, "TimeoutError"));
    }, budgetMs);

    try {
      const detected = options.detect(signal);
      this.#snapshot = await Promise.race([detected, stopped.promise]);
    } catch (error) {
      const fields = {
        error: errorText(error),
      };
      if (signal.reason?.name === "AbortError") {
        options.log.debug("hardware detection abandoned", fields);
      } else {
        options.log.warn("hardware detection failed", fields);
      }
    } finally {
      cancelTimer();
    }
  }
}
