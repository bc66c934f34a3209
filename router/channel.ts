/**
 * An unbounded async channel: any number of senders, one `for await` reader.
 *
 * `send()` never blocks and never waits for the reader, so handlers, timers
 * and background tasks can post from anywhere. Values come out in send
 * order. After `close()` the reader still receives every value sent before
 * it, then its loop ends; later sends are refused.
 */
export class Channel<T> implements AsyncIterable<T> {
  #buffer: T[] = [];
  #head = 0;
  #waiting: ((result: IteratorResult<T, undefined>) => void) | null = null;
  #closed = false;

  /** True once `close()` was called. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Values sent but not yet received. */
  get size(): number {
    return this.#buffer.length - this.#head;
  }

  /**
   * Queues `value` for the reader and returns at once. Returns false, and
   * drops the value, when the channel is closed.
   */
  send(value: T): boolean {
    if (this.#closed) return false;

    const waiting = this.#waiting;
    if (waiting) {
      this.#waiting = null;
      waiting({ value, done: false });
    } else {
      this.#buffer.push(value);
    }
    return true;
  }

  /** Refuses further sends; the reader finishes what is buffered. */
  close(): void {
    if (this.#closed) return;

    this.#closed = true;
    const waiting = this.#waiting;
    this.#waiting = null;
    waiting?.({ value: undefined, done: true });
  }

  /**
   * The next value, waiting for one when the buffer is empty; `done` once
   * the channel is closed and empty. Only one receive may wait at a time.
   */
  receive(): Promise<IteratorResult<T, undefined>> {
    if (this.size > 0) {
      return Promise.resolve({ value: this.#take(), done: false });
    }
    if (this.#closed) return Promise.resolve({ value: undefined, done: true });
    if (this.#waiting) {
      return Promise.reject(
        new Error("Cannot receive: another receive is already waiting"),
      );
    }

    return new Promise((resolve) => this.#waiting = resolve);
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    for (;;) {
      const result = await this.receive();
      if (result.done) return;
      yield result.value;
    }
  }

  #take(): T {
    const value = this.#buffer[this.#head] as T;
    this.#head++;
    if (this.#head === this.#buffer.length) {
      this.#buffer = [];
      this.#head = 0;
    } else if (this.#head >= 1024 && this.#head * 2 >= this.#buffer.length) {
      this.#buffer = this.#buffer.slice(this.#head);
      this.#head = 0;
    }
    return value;
  }
}
