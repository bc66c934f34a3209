import { ownArray } from "../lib/mod.ts";

/**
 * The bytes that passed, kept only up to `limit` bytes. Once a push would
 * go past the limit, everything kept so far is dropped and the buffer
 * only counts: a partial body is useless to captures and to the usage
 * parser, and memory stays bounded whatever the upstream sends.
 *
 * A single pushed chunk (a body read whole) is kept as it is
 * (`ownArray()`): the caller must not change it afterwards. Later chunks
 * (a stream) are copied into one buffer that doubles as it fills, so a
 * stream of a thousand small chunks leaves a few arrays for the collector
 * to trace, not a thousand, and a long stream never gets slower per chunk.
 */
export class BoundedBytes {
  readonly limit: number;
  /** The one chunk kept so far, before a second one arrived. */
  #single: Uint8Array | null = null;
  /** Everything kept, `#buffer[0..#kept)`, once there were two chunks. */
  #buffer: Uint8Array | null = null;
  #kept = 0;
  #seen = 0;
  #overflowed = false;

  /** `limit` 0 keeps nothing and only counts. */
  constructor(limit: number) {
    this.limit = Math.max(0, limit);
  }

  /** Bytes pushed so far, kept or not. */
  get seen(): number {
    return this.#seen;
  }

  /** True once more than `limit` bytes were pushed. */
  get overflowed(): boolean {
    return this.#overflowed;
  }

  /** Keeps `chunk` unless the limit is passed. */
  push(chunk: Uint8Array): void {
    this.#seen += chunk.length;
    if (this.#overflowed) return;
    const kept = this.#kept + chunk.length;
    if (kept > this.limit) {
      this.#overflowed = true;
      this.#single = null;
      this.#buffer = null;
      this.#kept = 0;
      return;
    }
    if (chunk.length === 0) return;
    if (this.#kept === 0) {
      this.#single = ownArray(chunk);
    } else {
      if (!this.#buffer || this.#buffer.length < kept) this.#grow(kept);
      this.#buffer!.set(chunk, this.#kept);
    }
    this.#kept = kept;
  }

  /**
   * Everything pushed, in one array of its own size (the buffer is cut to
   * fit, so a capture holds no spare room); null once the limit was passed.
   */
  bytes(): Uint8Array | null {
    if (this.#overflowed) return null;
    if (this.#buffer && this.#buffer.length !== this.#kept) {
      this.#buffer = this.#buffer.slice(0, this.#kept);
    }
    return this.#buffer ?? this.#single ?? new Uint8Array(0);
  }

  /** Room for `needed` bytes, holding what is kept, within the limit. */
  #grow(needed: number): void {
    const size = Math.min(this.limit, Math.max(needed * 2, 1024));
    const grown = new Uint8Array(size);
    if (this.#buffer) grown.set(this.#buffer.subarray(0, this.#kept));
    else if (this.#single) grown.set(this.#single);
    this.#buffer = grown;
    this.#single = null;
  }
}
