/**
 * The contract between a model's process and everything that drives it.
 * The router, the proxy and the UI depend only on these names.
 */

/** `shutdown` is terminal: a process in it never starts again. */
export type ProcessState =
  | "stopped"
  | "starting"
  | "ready"
  | "stopping"
  | "shutdown";

/** Published for every real transition, never for a no-op. */
export interface StateChange {
  readonly model: string;
  readonly from: ProcessState;
  readonly to: ProcessState;
  /** Clock time of the transition, in ms since the epoch. */
  readonly at: number;
}

/** Why a start did not end in `ready`. Callers branch on `reason`. */
export type StartFailure =
  | "spawn" // the command could not be executed, or is empty
  | "exited" // the child exited before it became healthy
  | "timeout" // the health check did not pass in time
  | "aborted" // a stop arrived while starting
  | "crashed" // the child exited unexpectedly while others waited on it
  | "shutdown" // the process was shut down for good
  | "config"; // the model cannot start as configured (no proxy URL, ...)

/** A start that failed; `message` is what clients and logs show. */
export class StartError extends Error {
  readonly model: string;
  readonly reason: StartFailure;

  constructor(
    model: string,
    reason: StartFailure,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = "StartError";
    this.model = model;
    this.reason = reason;
  }
}

/** What the router and proxy may do with one model's process. */
export interface ModelProcessHandle {
  readonly model: string;
  /** A snapshot; advisory only, never a reason to start or stop. */
  readonly state: ProcessState;
  /** OS process ID of the running child, or null. */
  readonly pid: number | null;

  /**
   * Resolves once the model is ready: at once when it already is, after a
   * start when stopped, after the running stop and then a start when it is
   * stopping. Concurrent callers share one start. Rejects with `StartError`.
   * An aborted `signal` only stops this caller from waiting.
   */
  ensureReady(signal?: AbortSignal): Promise<void>;

  /**
   * Stops the child: `cmdStop` or SIGTERM to its process group, then
   * waits up to `graceMs` for the whole group (not just the child) to exit
   * and SIGKILLs what is left of it. Idempotent; aborts a start in
   * progress.
   */
  stop(graceMs: number): Promise<void>;

  /** Stops the child and moves to `shutdown` for good. */
  shutdown(graceMs: number): Promise<void>;

  /**
   * Counts a request in flight until the returned function is called; the
   * TTL clock restarts when the count returns to zero.
   */
  beginRequest(): () => void;

  /** Number of requests counted by `beginRequest()` and not yet ended. */
  readonly inFlight: number;

  /** Calls `listener` for each later state change; returns unsubscribe. */
  onStateChange(listener: (change: StateChange) => void): () => void;
}
