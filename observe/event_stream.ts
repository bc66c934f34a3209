import type { EventSubscription } from "./event_bus.ts";
import { frame } from "./event_messages.ts";

/** Response headers of `GET /api/events`. */
export const EVENT_STREAM_HEADERS: Readonly<Record<string, string>> = {
  "Content-Type": "text/event-stream",
  "Cache-Control": "no-cache",
  "Connection": "keep-alive",
  "X-Content-Type-Options": "nosniff",
  "X-Accel-Buffering": "no",
};

const encoder = new TextEncoder();

/**
 * The SSE body for one `/api/events` client: each message of
 * `subscription` framed by `frame()`, read at the client's pace (the
 * subscription's bounded queue absorbs bursts). Ends when the subscription
 * ends (the bus closed for shutdown); a client that goes away cancels the
 * body, which closes the subscription.
 */
export function eventStreamBody(
  subscription: EventSubscription,
): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = await subscription.next();
      if (next.done) {
        controller.close();
        return;
      }
      controller.enqueue(encoder.encode(frame(next.value)));
    },
    cancel() {
      subscription.close();
    },
  }, { highWaterMark: 0 });
}
