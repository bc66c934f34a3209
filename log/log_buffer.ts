import { joinBytes, ownArray } from "../lib/mod.ts";

/** Bytes of history a buffer keeps unless told otherwise (100 KiB). */
export const DEFAULT_LOG_HISTORY_BYTES = 100 * 1024;

/** Receives every chunk written after it subscribed; must not block. */
export type LogListener = (chunk: Uint8Array) => void;

const encoder = new TextEncoder();

/** What a slot of the history becomes once its chunk was dropped. */
const DROPPED = new Uint8Array(0);

/**
 * A bounded history of log bytes with live subscribers.
 *
 * `write()` never blocks and never throws because of a listener: a listener
 * that fails is removed. The history keeps the newest `capacity` bytes.
 */
export class LogBuffer {
  readonly capacity: number;
  /** The history is `#chunks[#first..]`; dropped ones are cut in bulk. */
  #chunks: Uint8Array[] = [];
  #first = 0;
  #size = 0;
  #listeners = new Set<LogListener>();

  constructor(capacity = DEFAULT_LOG_HISTORY_BYTES) {
    this.capacity = capacity;
  }

  write(chunk: string | Uint8Array): void {
    const written = typeof chunk === "string" ? encoder.encode(chunk) : chunk;
    if (written.length === 0) return;
    // Listeners may keep the chunk: a view into a larger buffer (a pipe
    // read's 64 KiB) would keep all of it alive, so they share one copy.
    const bytes = ownArray(written);

    this.#remember(bytes);
    for (const listener of this.#listeners) {
      try {
        listener(bytes);
      } catch {
        this.#listeners.delete(listener);
      }
    }
  }

  /** The retained history as one byte array, oldest first. */
  history(): Uint8Array {
    // The list copy costs one pointer per line, next to the bytes copied.
    return joinBytes(this.#chunks.slice(this.#first), this.#size);
  }

  /** The retained history decoded as UTF-8. */
  text(): string {
    return new TextDecoder().decode(this.history());
  }

  /** Calls `listener` for every later write; the result unsubscribes. */
  subscribe(listener: LogListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  get subscriberCount(): number {
    return this.#listeners.size;
  }

  #remember(bytes: Uint8Array): void {
    const kept = bytes.length > this.capacity
      ? bytes.slice(bytes.length - this.capacity)
      : bytes;
    this.#chunks.push(kept);
    this.#size += kept.length;

    while (this.#size > this.capacity) {
      const first = this.#chunks[this.#first]!;
      const excess = this.#size - this.capacity;
      if (first.length <= excess) {
        this.#chunks[this.#first++] = DROPPED; // not kept alive until the cut
        this.#size -= first.length;
      } else {
        this.#chunks[this.#first] = first.subarray(excess);
        this.#size -= excess;
      }
    }
    // Shifting one chunk off per line would move the whole array each time.
    if (this.#first >= 1024 && this.#first * 2 >= this.#chunks.length) {
      this.#chunks = this.#chunks.slice(this.#first);
      this.#first = 0;
    }
  }
}
