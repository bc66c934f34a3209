import { type Clock, joinBytes, systemClock } from "../lib/mod.ts";

export interface TerminalWriterOptions {
  /** Longest a written chunk waits before it goes out (5 ms). */
  readonly delayMs?: number;
  /** Waiting bytes that make it go out at once (64 KiB). */
  readonly maxBytes?: number;
  readonly clock?: Clock;
}

/**
 * Log output on its way to the terminal (stdout), written a few
 * milliseconds late in batches: under load the access log has a line per
 * request, and one `write` per line cost the proxy a system call each and
 * woke whatever reads its stdout (journald, a pipe) as often. Chunks are
 * kept in order and go out together within `delayMs`, or at once when
 * `maxBytes` are waiting or someone calls `flush()` (`main.ts` does on
 * exit and on an uncaught error). A failing write (stdout closed) drops
 * that batch: logging never takes the proxy down.
 */
export class TerminalWriter {
  #sink: (bytes: Uint8Array) => number;
  #delayMs: number;
  #maxBytes: number;
  #clock: Clock;
  #pending: Uint8Array[] = [];
  #size = 0;
  #cancelTimer: (() => void) | null = null;

  /** `sink` writes synchronously and returns how many bytes it took. */
  constructor(
    sink: (bytes: Uint8Array) => number,
    options: TerminalWriterOptions = {},
  ) {
    this.#sink = sink;
    this.#delayMs = options.delayMs ?? 5;
    this.#maxBytes = options.maxBytes ?? 64 * 1024;
    this.#clock = options.clock ?? systemClock;
  }

  /** Queues `chunk`, which must not change afterwards. */
  readonly write = (chunk: Uint8Array): void => {
    if (chunk.byteLength === 0) return;
    this.#pending.push(chunk);
    this.#size += chunk.byteLength;
    if (this.#size >= this.#maxBytes) this.flush();
    else {
      this.#cancelTimer ??= this.#clock.setTimer(
        () => this.flush(),
        this.#delayMs,
      );
    }
  };

  /** Writes everything waiting now. */
  readonly flush = (): void => {
    this.#cancelTimer?.();
    this.#cancelTimer = null;
    if (this.#size === 0) return;
    const bytes = this.#pending.length === 1
      ? this.#pending[0]!
      : joinBytes(this.#pending, this.#size);
    this.#pending = [];
    this.#size = 0;
    try {
      for (let at = 0; at < bytes.byteLength;) {
        at += this.#sink(bytes.subarray(at));
      }
    } catch {
      // stdout is gone; the history buffers still have every line
    }
  };
}
