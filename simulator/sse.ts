/**
 * Server-Sent Events framing (WHATWG HTML, "server-sent events"): a frame is
 * optional `event:` and one `data:` line, ended by a blank line. JSON never
 * contains a raw newline, so one `data:` line always suffices.
 */

/** A `data:` frame carrying `value` as JSON. */
export function sseData(value: unknown): string {
  return `data: ${JSON.stringify(value)}\n\n`;
}

/** A named frame, as Anthropic's Messages API sends them. */
export function sseEvent(event: string, value: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(value)}\n\n`;
}

/** The frame that ends an OpenAI-style stream. */
export const SSE_DONE = "data: [DONE]\n\n";

/** Headers of every streamed reply. */
export const SSE_HEADERS: Readonly<Record<string, string>> = {
  "content-type": "text/event-stream",
  "cache-control": "no-cache",
};
