import type { LogBuffer } from "../log/mod.ts";
import type { EventBus } from "./event_bus.ts";

/**
 * Publishes every later write to `buffer` as a `logData` message from
 * `source`. Chunks are decoded as one UTF-8 stream, so a character split
 * across two writes arrives whole. While the bus has no subscribers the
 * writes are not even decoded. Returns the function that stops it.
 */
export function forwardLogs(
  buffer: LogBuffer,
  source: "proxy" | "upstream",
  bus: EventBus,
): () => void {
  let decoder = new TextDecoder();
  let partial = false;
  return buffer.subscribe((chunk) => {
    if (bus.subscriberCount === 0) {
      // Nobody listens: skip the decoding, and start afresh next time.
      if (partial) decoder = new TextDecoder();
      partial = false;
      return;
    }
    const data = decoder.decode(chunk, { stream: true });
    partial = true;
    if (data !== "") bus.publish({ type: "logData", data: { source, data } });
  });
}
