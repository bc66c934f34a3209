import type { Capture, CapturedExchange } from "./capture.ts";

const MIB = 1024 * 1024;
const encoder = new TextEncoder();
const NON_ASCII = /[\u0080-\uffff]/;

export interface CaptureStoreOptions {
  /** `captureBuffer` in MiB; 0 disables captures. */
  captureBufferMiB: number;
}

/**
 * Recent request/response captures in memory, keyed by activity ID.
 *
 * Bounded by bytes: the sum of `captureSize()` stays within the buffer;
 * the oldest captures go first. Sizes are raw bytes: llama-swap counts
 * zstd-compressed bytes, so the same setting holds fewer captures here.
 * Synchronous and cheap; called by the proxy after each metered request
 * and by the capture route.
 */
/** A held capture and the bytes it is charged. */
interface StoredCapture {
  readonly capture: Capture;
  readonly size: number;
}

/** What an entry of the order list becomes once eviction passed it. */
const PASSED = { id: -1, item: null } as const;

export class CaptureStore {
  /** 0 when captures are disabled. */
  readonly capacityBytes: number;
  #items = new Map<number, StoredCapture>();
  /**
   * Captures in the order they were stored, oldest from `#first` on; an
   * entry whose capture was replaced or removed since is skipped. Walking
   * the map from its start instead would step over every deleted entry
   * still in its table, on each store.
   */
  #order: { id: number; item: StoredCapture | null }[] = [];
  #first = 0;
  #sizeBytes = 0;

  constructor(options: CaptureStoreOptions) {
    const mib = options.captureBufferMiB;
    if (!Number.isFinite(mib) || mib < 0) {
      throw new RangeError(
        `Cannot create capture store: captureBuffer must be 0 or more, got "${mib}"`,
      );
    }
    this.capacityBytes = Math.floor(mib * MIB);
  }

  get enabled(): boolean {
    return this.capacityBytes > 0;
  }

  /** Bytes held now. */
  get sizeBytes(): number {
    return this.#sizeBytes;
  }

  get count(): number {
    return this.#items.size;
  }

  /**
   * Stores `exchange` under `id`, replacing an earlier one, and evicts the
   * oldest captures until it fits. False, and nothing stored, when
   * captures are disabled or it alone exceeds the whole buffer.
   */
  put(id: number, exchange: CapturedExchange): boolean {
    const capture: Capture = { id, ...exchange };
    const size = captureSize(capture);
    if (size > this.capacityBytes) return false;

    this.#remove(id);
    while (
      this.#sizeBytes + size > this.capacityBytes &&
      this.#first < this.#order.length
    ) {
      const { id: oldest, item } = this.#order[this.#first]!;
      // Let go of the entry now: an evicted capture's bodies are no longer
      // kept alive by this list until it is next cut.
      this.#order[this.#first++] = PASSED;
      if (this.#items.get(oldest) !== item) continue; // replaced or removed
      this.#items.delete(oldest);
      this.#sizeBytes -= item.size;
    }
    if (this.#first >= 1024 && this.#first * 2 >= this.#order.length) {
      this.#order = this.#order.slice(this.#first);
      this.#first = 0;
    }
    const item = { capture, size };
    this.#items.set(id, item);
    this.#order.push({ id, item });
    this.#sizeBytes += size;
    return true;
  }

  /** The capture for `id`, or null when none is held (404 for the route). */
  get(id: number): Capture | null {
    return this.#items.get(id)?.capture ?? null;
  }

  has(id: number): boolean {
    return this.#items.has(id);
  }

  #remove(id: number): void {
    const item = this.#items.get(id);
    if (!item) return;
    this.#items.delete(id);
    this.#sizeBytes -= item.size;
  }
}

/** Bytes a capture is charged: path, header names and values, bodies. */
export function captureSize(capture: CapturedExchange): number {
  const size = utf8Length(capture.reqPath) + headerBytes(capture.reqHeaders) +
    headerBytes(capture.respHeaders);
  return size + (capture.reqBody?.length ?? 0) +
    (capture.respBody?.length ?? 0);
}

function headerBytes(headers: Readonly<Record<string, string>> | null): number {
  let size = 0;
  for (const name in headers) {
    size += utf8Length(name) + utf8Length(headers[name]!);
  }
  return size;
}

/** UTF-8 length; header text is almost always ASCII, counted as is. */
function utf8Length(text: string): number {
  return NON_ASCII.test(text) ? encoder.encode(text).length : text.length;
}
