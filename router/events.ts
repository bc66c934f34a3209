import type { StateChange } from "../process/mod.ts";
import type { ConfigChange } from "./config_change.ts";
import type { PendingRequest } from "./request.ts";

/**
 * Everything the run loop reacts to. Each kind is a fact, named in the past
 * tense; the scheduler handles kind `x` in `onX()`.
 */
export type RouterEvent =
  /** A client asked for a model (admission and the decision follow). */
  | { readonly kind: "requestArrived"; readonly request: PendingRequest }
  /** A client left before it was granted or refused. */
  | { readonly kind: "requestCancelled"; readonly requestId: number }
  /** A swap task ended; `error` is null when the target is ready. */
  | {
    readonly kind: "swapFinished";
    readonly swapId: number;
    readonly model: string;
    readonly error: Error | null;
  }
  /** A granted request released its lease. */
  | { readonly kind: "serveFinished"; readonly requestId: number }
  /** Every process of a `stopProcesses` or `shutdownProcesses` stopped. */
  | { readonly kind: "stopFinished"; readonly stopId: number }
  /** An operator asked to unload `models` (null: every model). */
  | {
    readonly kind: "unloadRequested";
    readonly unloadId: number;
    readonly models: readonly string[] | null;
    /** Stop grace for every target; null: each model's `unloadTimeout`. */
    readonly timeoutMs: number | null;
  }
  /**
   * The router is shutting down; null grace: each model's own, capped at
   * `maxGraceMs` when that is set.
   */
  | {
    readonly kind: "shutdownRequested";
    readonly timeoutMs: number | null;
    readonly maxGraceMs: number | null;
  }
  /** A new configuration (settings, planner, processes) takes over. */
  | { readonly kind: "configReplaced"; readonly change: ConfigChange }
  /** A timer set through `Effects.scheduleTimer()` came due. */
  | { readonly kind: "timerFired"; readonly key: string }
  /** A process changed state on its own or by our hand (crash, TTL, ...). */
  | { readonly kind: "processChanged"; readonly change: StateChange };

/** The kind names, e.g. for counting events in metrics. */
export type RouterEventKind = RouterEvent["kind"];
