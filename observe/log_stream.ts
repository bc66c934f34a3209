import type { LogBuffer } from "../log/mod.ts";

/** Bytes one `/logs/stream` client may fall behind by (1 MiB). */
export const LOG_STREAM_QUEUE_BYTES = 1024 * 1024;

const encoder = new TextEncoder();

export interface LogStreamOptions {
  /** Send the buffer's history first (the default). */
  readonly history?: boolean;
  /** Queue size in bytes; default `LOG_STREAM_QUEUE_BYTES`. */
  readonly queueBytes?: number;
}

/**
 * One `/logs/stream` client: the buffer's history, then every later write,
 * as a byte stream read at the client's pace.
 *
 * The log writer is never held up: a write that finds this client's queue
 * full is dropped for this client only, and once the queue has room again
 * a line `— <n> bytes dropped —` marks the gap. Queued chunks are the
 * buffer's own, shared by every client, not copies. History and subscription
 * are taken in one synchronous step, so nothing is lost or doubled between
 * them. The stream ends when the client cancels it or `close()` is called.
 */
export class LogStream {
  readonly body: ReadableStream<Uint8Array>;
  #queue: Uint8Array[] = [];
  #queuedBytes = 0;
  #queueBytes: number;
  #droppedBytes = 0;
  /** Dropped bytes not yet marked in the stream. */
  #pendingDrop = 0;
  #waiter: ((chunk: Uint8Array | null) => void) | null = null;
  #unsubscribe: () => void;
  #onClose: (() => void) | null = null;
  #closed = false;

  constructor(buffer: LogBuffer, options: LogStreamOptions = {}) {
    this.#queueBytes = options.queueBytes ?? LOG_STREAM_QUEUE_BYTES;
    if (options.history ?? true) {
      const history = buffer.history();
      if (history.length > 0) this.#push(history);
    }
    this.#unsubscribe = buffer.subscribe((chunk) => this.#offer(chunk));
    this.body = new ReadableStream<Uint8Array>({
      pull: async (controller) => {
        const chunk = await this.#next();
        if (chunk) controller.enqueue(chunk);
        else controller.close();
      },
      cancel: () => this.close(),
    }, { highWaterMark: 0 });
  }

  /** Bytes this client missed because it read too slowly. */
  get droppedBytes(): number {
    return this.#droppedBytes;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Calls `listener` once when the stream ends, however it ends. */
  onClose(listener: () => void): void {
    this.#onClose = listener;
  }

  /** Ends the stream after what is queued is dropped; idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#unsubscribe();
    this.#queue = [];
    this.#queuedBytes = 0;
    const waiter = this.#waiter;
    this.#waiter = null;
    waiter?.(null);
    this.#onClose?.();
  }

  #offer(chunk: Uint8Array): void {
    if (this.#closed) return;
    if (this.#waiter) {
      const waiter = this.#waiter;
      this.#waiter = null;
      waiter(chunk);
      return;
    }
    // Once something was dropped, everything is until a read marks the
    // gap, so the mark stands where the gap is.
    if (
      this.#pendingDrop === 0 &&
      this.#queuedBytes + chunk.length <= this.#queueBytes
    ) {
      this.#push(chunk);
      return;
    }
    this.#droppedBytes += chunk.length;
    this.#pendingDrop += chunk.length;
  }

  #next(): Promise<Uint8Array | null> {
    const chunk = this.#queue.shift();
    if (chunk) {
      this.#queuedBytes -= chunk.length;
      this.#markDrops();
      return Promise.resolve(chunk);
    }
    if (this.#closed) return Promise.resolve(null);
    return new Promise((resolve) => {
      this.#waiter = resolve;
    });
  }

  /** After a read made room: note the bytes this client missed. */
  #markDrops(): void {
    if (this.#pendingDrop === 0) return;
    this.#push(encoder.encode(`— ${this.#pendingDrop} bytes dropped —\n`));
    this.#pendingDrop = 0;
  }

  /** Queues `chunk`, counting it against the queue's bytes. */
  #push(chunk: Uint8Array): void {
    this.#queue.push(chunk);
    this.#queuedBytes += chunk.length;
  }
}
