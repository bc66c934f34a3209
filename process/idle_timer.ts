import type { Clock } from "../lib/mod.ts";

export interface IdleTimerOptions {
  /** Idle time before `onIdle` runs; 0 or less disables the timer. */
  delayMs: number;
  clock: Clock;
  /** Runs once per `arm()` that is not followed by `disarm()` in time. */
  onIdle: () => void;
}

/**
 * Runs `onIdle` after a stretch without activity: the owner calls `arm()`
 * when the last request ends (or the model becomes ready) and `disarm()`
 * when a request begins or the model leaves `ready`. Only one timer is
 * ever pending, and none when disabled.
 */
export class IdleTimer {
  readonly delayMs: number;
  #clock: Clock;
  #onIdle: () => void;
  #cancel: (() => void) | null = null;

  constructor(options: IdleTimerOptions) {
    this.delayMs = options.delayMs;
    this.#clock = options.clock;
    this.#onIdle = options.onIdle;
  }

  /** True while a timer is pending. */
  get armed(): boolean {
    return this.#cancel !== null;
  }

  /** Starts the idle period afresh, replacing a pending timer. */
  arm(): void {
    this.disarm();
    if (this.delayMs <= 0) return;
    this.#cancel = this.#clock.setTimer(() => {
      this.#cancel = null;
      this.#onIdle();
    }, this.delayMs);
  }

  /** Cancels the pending timer, if any. */
  disarm(): void {
    this.#cancel?.();
    this.#cancel = null;
  }
}
