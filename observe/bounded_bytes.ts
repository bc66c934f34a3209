/**
 * `bytes` when it spans its whole buffer (the proxy hands over arrays it
 * never changes again), else a copy of just those bytes: a view would keep
 * its whole buffer alive.
 */
export function ownArray<T extends Uint8Array>(bytes: T): T {
  return bytes.byteLength === bytes.buffer.byteLength
    ? bytes
    : bytes.slice() as T;
}

/**
 * The bytes that passed, kept only up to `limit` bytes. Once a
 * push would go past the limit, everything kept so far is dropped and the
 * buffer only counts: a partial body is useless to captures and to the
 * usage parser, and memory stays bounded whatever the upstream sends.
 *
 * A pushed chunk is kept as it is (`ownArray()`): the caller must not
 * change it afterwards. Each push costs at most a copy of that chunk, so
 * a long stream never gets slower per chunk.
 */
export class BoundedBytes {
  readonly limit: number;
  #chunks: Uint8Array[] = [];
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

  /** Copies `chunk` in unless the limit is passed. */
  push(chunk: Uint8Array): void {
    this.#seen += chunk.length;
    if (this.#overflowed) return;
    if (this.#kept + chunk.length > this.limit) {
      this.#overflowed = true;
      this.#chunks = [];
      this.#kept = 0;
      return;
    }
    if (chunk.length === 0) return;
    this.#chunks.push(ownArray(chunk));
    this.#kept += chunk.length;
  }

  /** Everything pushed, in one array; null once the limit was passed. */
  bytes(): Uint8Array | null {
    if (this.#overflowed) return null;
    if (this.#chunks.length === 1) return this.#chunks[0]!;
    const out = new Uint8Array(this.#kept);
    let at = 0;
    for (const chunk of this.#chunks) {
      out.set(chunk, at);
      at += chunk.length;
    }
    this.#chunks = out.length > 0 ? [out] : [];
    return out;
  }
}
