import type { StateChange } from "../process/mod.ts";
import type { ConfigChange } from "./config_change.ts";
import type { PendingRequest } from "./request.ts";
import type { RouterSnapshot } from "./snapshot.ts";

/**
 * A scheduling policy: one handler per event kind. Handlers run inside the
 * run loop, one at a time, and must not block or await; a scheduler acts
 * only through the `Effects` it was built with.
 */
export interface Scheduler {
  onRequestArrived(request: PendingRequest): void;
  onRequestCancelled(requestId: number): void;
  onSwapFinished(swapId: number, model: string, error: Error | null): void;
  onServeFinished(requestId: number): void;
  onStopFinished(stopId: number): void;
  onUnloadRequested(
    unloadId: number,
    models: readonly string[] | null,
    timeoutMs: number | null,
  ): void;
  onShutdownRequested(
    timeoutMs: number | null,
    maxGraceMs?: number | null,
  ): void;
  onTimerFired(key: string): void;
  onProcessChanged(change: StateChange): void;
  onConfigReplaced(change: ConfigChange): void;

  /** The current state for observers; never changes anything. */
  snapshot(): RouterSnapshot;
}
