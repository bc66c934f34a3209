import { type Deferred, deferred, errorText } from "../../lib/mod.ts";
import { type Logger, silentLogger } from "../../log/mod.ts";

export interface PushableBodyOptions {
  /** Unread bytes the body holds before `behind` turns true. */
  highWaterMark: number;
  /** Called once when the consumer cancels the stream (the client left). */
  onConsumerCancel?: () => void;
  /** Receives debug lines when cancelling an upstream body fails. */
  logger?: Logger;
  /** Names the stream in log lines, such as the model ID. */
  label?: string;
}

/** How `pipeFrom()` ended. */
export type PipeOutcome =
  | { kind: "complete" }
  | { kind: "clientLeft" }
  | { kind: "upstreamFailed"; error: unknown };

/**
 * A response body that its owner first writes to directly, then fills from
 * another stream at the pace the consumer reads.
 *
 * Once `finished` is true (closed, errored, or cancelled by either side),
 * writes are dropped silently, so callers need not track who ended it.
 */
export class PushableBody {
  readonly stream: ReadableStream<Uint8Array>;

  #controller!: ReadableStreamDefaultController<Uint8Array>;
  #onConsumerCancel: () => void;
  #logger: Logger;
  #label: string;
  #finished = false;
  /** Resolved when the consumer wants more bytes while piping. */
  #demand: Deferred<void> | null = null;
  #upstream: ReadableStreamDefaultReader<Uint8Array> | null = null;

  constructor(options: PushableBodyOptions) {
    this.#onConsumerCancel = options.onConsumerCancel ?? (() => {});
    this.#logger = options.logger ?? silentLogger;
    this.#label = options.label ?? "";
    this.stream = new ReadableStream<Uint8Array>({
      start: (controller) => {
        this.#controller = controller;
      },
      pull: () => this.#wake(),
      cancel: (reason) => {
        this.#finish();
        this.#onConsumerCancel();
        return this.#cancelUpstream(reason);
      },
    }, { highWaterMark: options.highWaterMark, size: (chunk) => chunk.length });
  }

  /** Nothing more will be written: closed, errored or cancelled. */
  get finished(): boolean {
    return this.#finished;
  }

  /** The consumer has not yet read `highWaterMark` bytes or more. */
  get behind(): boolean {
    return (this.#controller.desiredSize ?? 0) <= 0;
  }

  /** Queues `bytes` for the consumer, whatever its pace; dropped once finished. */
  write(bytes: Uint8Array): void {
    if (!this.#finished) this.#controller.enqueue(bytes);
  }

  /** Ends the body after what is queued; a no-op once finished. */
  close(): void {
    if (this.#finished) return;
    this.#finish();
    this.#controller.close();
  }

  /**
   * Our side gives up (the client went away): closes the body and cancels
   * the upstream being piped, if any. A no-op once finished.
   */
  cancel(reason: unknown): void {
    if (this.#finished) return;
    this.#finish();
    this.#controller.close();
    void this.#cancelUpstream(reason);
  }

  /**
   * Copies `upstream` into the body chunk by chunk, reading from it only
   * when the consumer has room, then closes the body. Never rejects: when
   * the upstream fails, the body is errored so the consumer sees a broken
   * stream, and the error comes back in the outcome. When the body is
   * already finished, `upstream` is cancelled unread.
   */
  async pipeFrom(upstream: ReadableStream<Uint8Array>): Promise<PipeOutcome> {
    if (this.#finished) {
      await this.discard(upstream);
      return { kind: "clientLeft" };
    }

    const reader = upstream.getReader();
    this.#upstream = reader;
    try {
      for (;;) {
        await this.#roomToWrite();
        if (this.#finished) return { kind: "clientLeft" };

        const { done, value } = await reader.read();
        if (this.#finished) return { kind: "clientLeft" };
        if (done) break;
        this.write(value);
      }
      this.close();
      return { kind: "complete" };
    } catch (error) {
      if (this.#finished) return { kind: "clientLeft" };
      this.#finish();
      this.#controller.error(error);
      return { kind: "upstreamFailed", error };
    } finally {
      this.#upstream = null;
      reader.releaseLock();
    }
  }

  /** Cancels a body that will never be read; logs a failure at debug. */
  async discard(upstream: ReadableStream<Uint8Array> | null): Promise<void> {
    await upstream?.cancel("client went away").catch((error: unknown) =>
      this.#logCancelFailure(error)
    );
  }

  /**
   * When the body is full, waits for the stream's next `pull`, its signal
   * that the consumer has read enough to want more.
   */
  async #roomToWrite(): Promise<void> {
    if (this.#finished || !this.behind) return;
    this.#demand = deferred<void>();
    await this.#demand.promise;
  }

  #wake(): void {
    this.#demand?.resolve();
    this.#demand = null;
  }

  #finish(): void {
    this.#finished = true;
    this.#wake();
  }

  #cancelUpstream(reason: unknown): Promise<void> {
    const reader = this.#upstream;
    if (!reader) return Promise.resolve();

    return reader.cancel(reason).catch((error: unknown) =>
      this.#logCancelFailure(error)
    );
  }

  #logCancelFailure(error: unknown): void {
    this.#logger.debug("cancelling the upstream body failed", {
      stream: this.#label,
      error: errorText(error),
    });
  }
}
