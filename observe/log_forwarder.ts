import type { LogBuffer } from "../log/mod.ts";
import type { EventBus } from "./event_bus.ts";

/**
 * Publishes every later write to `buffer` as a `logData` message from
 * `source`. Chunks are decoded as one UTF-8 stream, so a character split
 * across two writes arrives whole. Returns the function that stops it.
 */
export function forwardLogs(
  buffer: LogBuffer,
  source: "proxy" | "upstream",
  bus: EventBus,
): () => void {
  const decoder = new TextDecoder();
  return buffer.subscribe((chunk) => {
    const data = decoder.decode(chunk, { stream: true });
    if (data !== "") bus.publish({ type: "logData", data: { source, data } });
  });
}
