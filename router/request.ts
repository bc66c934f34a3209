/**
 * What the scheduler knows about one client request: who it is and which
 * model it wants. The caller's socket, signal and promises stay with the
 * router, which finds them again by `id`.
 */
export interface PendingRequest {
  /** Unique for the router's lifetime. */
  readonly id: number;
  /** The real model ID (aliases already resolved). */
  readonly model: string;
}
