/** What `Router.request()` answers once the request passed admission. */
export interface Ticket {
  /**
   * True when the model was granted during admission (it was ready), so
   * no loading stream is needed.
   */
  readonly immediate: boolean;
  /**
   * Resolves when the model is ready and the request may be forwarded.
   * Rejects with a `RouterError`: 500 when the load failed or the model
   * was unloaded, 503 on shutdown, 499 when the client left first. It
   * never reports an unhandled rejection, so a caller may drop it.
   */
  readonly lease: Promise<Lease>;
}

/** The right to forward one request to a ready model. */
export interface Lease {
  readonly model: string;
  /** The model's FIFO priority (activity metadata `fifo_priority`). */
  readonly priority: number;
  /**
   * Ends the request: the model may be evicted once its last lease is
   * released. Call it when forwarding ends, however it ends. Idempotent.
   */
  release(): void;
}

/** How a caller takes part while it waits. */
export interface RequestOptions {
  /** Aborts when the client goes away; the request is then withdrawn. */
  signal: AbortSignal;
  /**
   * Called with the 1-based queue position whenever it changes, and with
   * null once a queued request leaves the queue to be served (it may then
   * still wait for its model's load).
   */
  onQueuePosition?: (position: number | null) => void;
}
