/** A long-lived response body that can be ended from the server side. */
export interface ClosableStream {
  close(): void;
  /** Registers the one listener called when the stream ends. */
  onClose(listener: () => void): void;
}

/**
 * The long-lived responses being served, so a shutdown can end them all
 * and let the HTTP server drain. Streams leave the set when they end.
 */
export class OpenStreams {
  #open = new Set<ClosableStream>();
  #closed = false;

  get size(): number {
    return this.#open.size;
  }

  /** Tracks `stream`; after `closeAll()` it is closed at once instead. */
  add(stream: ClosableStream): void {
    if (this.#closed) {
      stream.close();
      return;
    }
    this.#open.add(stream);
    stream.onClose(() => this.#open.delete(stream));
  }

  /** Ends every tracked stream and every later one. Idempotent. */
  closeAll(): void {
    this.#closed = true;
    for (const stream of [...this.#open]) stream.close();
  }
}
