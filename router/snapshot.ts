/** A point-in-time view of the router's scheduling state, for UI and metrics. */
export interface RouterSnapshot {
  /** Queued requests in service order. */
  readonly queue: readonly QueuedRequestView[];
  /** Granted requests not yet released, by model (models with none omitted). */
  readonly inFlight: Readonly<Record<string, number>>;
  /** Admitted requests not yet finished, by model (queued, waiting, serving). */
  readonly reserved: Readonly<Record<string, number>>;
  /** Loads under way. */
  readonly swaps: readonly SwapView[];
  /** Models being stopped by an unload or a cancelled load, sorted. */
  readonly unloading: readonly string[];
  readonly shuttingDown: boolean;
}

export interface QueuedRequestView {
  readonly id: number;
  readonly model: string;
  /** 1-based. */
  readonly position: number;
  readonly priority: number;
  readonly waitedMs: number;
}

export interface SwapView {
  readonly model: string;
  readonly evict: readonly string[];
  /** Requests that will be granted together when the load finishes. */
  readonly waiters: number;
  readonly startedAt: number;
}
