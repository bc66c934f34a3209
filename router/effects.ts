import type { Logger } from "../log/mod.ts";
import type { ProcessState } from "../process/mod.ts";
import type { RouterError } from "./errors.ts";
import type { RouterNotice } from "./notice.ts";
import type { PendingRequest } from "./request.ts";

/**
 * Everything a scheduler may observe of, or do to, the world. The router
 * implements it over real processes and callers; scheduler tests implement
 * it with a recording fake.
 *
 * Every method returns at once and never calls back into the scheduler:
 * work that takes time runs in the background and reports its outcome as
 * an event on the router's channel.
 */
export interface Effects {
  /** Where scheduler decisions are logged (component `router`). */
  readonly log: Logger;

  /** Clock time in ms since the epoch. */
  now(): number;

  /**
   * The process's state as last published. Advisory only: it chooses
   * evictions and the fast path, but starts and stops are decided inside
   * the process (`ensureReady()`, `stop()`).
   */
  processState(model: string): ProcessState;

  /**
   * Tells the caller it passed admission (it holds a reservation now).
   * False: the caller already left; reserve nothing and forget it.
   */
  admit(request: PendingRequest): boolean;

  /** Answers the caller with `error`; the request is over. */
  reject(request: PendingRequest, error: RouterError): void;

  /**
   * Hands the caller its model and counts it with the process's own
   * `beginRequest()` in the same step, so an idle unload cannot slip in
   * between. False: the caller already left, so it must not be counted as
   * in flight and its reservation must be released.
   */
  grant(request: PendingRequest, priority: number): boolean;

  /**
   * Starts a swap task: stop `evict` in parallel (each with its grace from
   * `graceMs`), then make `model` ready. Its outcome arrives as
   * `swapFinished` with the same `swapId`.
   */
  startSwap(
    swapId: number,
    model: string,
    evict: readonly string[],
    graceMs: Readonly<Record<string, number>>,
  ): void;

  /**
   * Stops waiting for swap `swapId`: the task skips the load if it has not
   * begun it and ends with an "aborted" `swapFinished`. A load already in
   * progress is only stopped by `stopProcesses()` on its target.
   */
  cancelSwap(swapId: number): void;

  /**
   * Stops `models` in parallel, each with its grace from `graceMs` (a start
   * in progress is aborted). Posts `stopFinished` with `stopId` once all
   * are stopped, whether or not each stop succeeded.
   */
  stopProcesses(
    stopId: number,
    models: readonly string[],
    graceMs: Readonly<Record<string, number>>,
  ): void;

  /**
   * Shuts down, each with its grace from `graceMs`, the old processes that
   * a config change took away from `models` (see `replaceProcesses()`).
   * Posts `stopFinished` with `stopId` once all are down.
   */
  retireProcesses(
    stopId: number,
    models: readonly string[],
    graceMs: Readonly<Record<string, number>>,
  ): void;

  /**
   * Installs the process map staged for config `generation`. Processes it
   * no longer holds are kept aside as retiring: they go on serving the
   * requests already granted to them, count in `processState()` while the
   * new process of their model is stopped, and are stopped along with
   * their model until `retireProcesses()` shuts them down.
   */
  replaceProcesses(generation: number): void;

  /** As `stopProcesses()`, but each process ends in `shutdown` for good. */
  shutdownProcesses(
    stopId: number,
    models: readonly string[],
    graceMs: Readonly<Record<string, number>>,
  ): void;

  /** Resolves the `unload()` call that posted `unloadId`. */
  completeUnload(unloadId: number): void;

  /** Shutdown is complete: the run loop may end. Called once. */
  finishShutdown(): void;

  /**
   * The queue changed from position `first` (1-based) on: `requests` are
   * the queued requests from there to the end, in service order, so the
   * one at index i is now at position `first + i`. Those before `first`
   * kept their positions.
   */
  notifyPositions(requests: readonly PendingRequest[], first: number): void;

  /**
   * `request` left the queue to be served: granted, or waiting for its
   * model's load now. Only a request that was told a position hears of it.
   */
  leftQueue(request: PendingRequest): void;

  /** Posts `timerFired` with `key` at clock time `at` (at once if past). */
  scheduleTimer(at: number, key: string): void;

  /** Forgets the timer `key`, if it has not fired yet. */
  cancelTimer(key: string): void;

  /** Publishes a decision to observers. */
  notify(notice: RouterNotice): void;
}
