import type { Logger } from "../log/mod.ts";
import type { RouterEvent } from "./events.ts";
import type { Scheduler } from "./scheduler.ts";

/**
 * Feeds each event to the scheduler, one at a time, until `events` ends.
 *
 * This is the only code that touches scheduler state, so the scheduler
 * needs no locks. Handlers are synchronous; anything slow was started as a
 * background task by an effect and comes back as another event. A handler
 * that throws is a bug: it is logged as an error and the loop goes on with
 * the next event rather than leaving every client hanging.
 */
export async function runRouterLoop(
  events: AsyncIterable<RouterEvent>,
  scheduler: Scheduler,
  log: Logger,
): Promise<void> {
  for await (const event of events) {
    try {
      dispatch(event, scheduler);
    } catch (error) {
      log.error("event handler failed", {
        event: event.kind,
        error: error instanceof Error
          ? error.stack ?? error.message
          : String(error),
      });
    }
  }
}

function dispatch(event: RouterEvent, scheduler: Scheduler): void {
  switch (event.kind) {
    case "requestArrived":
      scheduler.onRequestArrived(event.request);
      break;
    case "requestCancelled":
      scheduler.onRequestCancelled(event.requestId);
      break;
    case "swapFinished":
      scheduler.onSwapFinished(event.swapId, event.model, event.error);
      break;
    case "serveFinished":
      scheduler.onServeFinished(event.requestId);
      break;
    case "stopFinished":
      scheduler.onStopFinished(event.stopId);
      break;
    case "unloadRequested":
      scheduler.onUnloadRequested(
        event.unloadId,
        event.models,
        event.timeoutMs,
      );
      break;
    case "shutdownRequested":
      scheduler.onShutdownRequested(event.timeoutMs, event.maxGraceMs);
      break;
    case "timerFired":
      scheduler.onTimerFired(event.key);
      break;
    case "processChanged":
      scheduler.onProcessChanged(event.change);
      break;
    case "configReplaced":
      scheduler.onConfigReplaced(event.change);
      break;
    default:
      event satisfies never; // a new kind without a case fails to compile
  }
}
