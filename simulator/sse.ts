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

/** One parsed SSE frame: its `event:` name (if any) and its `data:` text. */
export interface SseFrame {
  readonly event: string | null;
  readonly data: string;
}

/**
 * Splits SSE text into frames, joining multi-line `data:` and skipping
 * comment lines (`:`). For reading streams in tests and tools.
 */
export function parseSseFrames(text: string): SseFrame[] {
  const frames: SseFrame[] = [];
  for (const block of text.replaceAll("\r\n", "\n").split("\n\n")) {
    let event: string | null = null;
    const data: string[] = [];
    for (const line of block.split("\n")) {
      if (line === "" || line.startsWith(":")) continue;
      const colon = line.indexOf(":");
      const field = colon === -1 ? line : line.slice(0, colon);
      const value = colon === -1 ? "" : line.slice(colon + 1).replace(/^ /, "");
      if (field === "event") event = value;
      else if (field === "data") data.push(value);
    }
    if (event !== null || data.length > 0) {
      frames.push({ event, data: data.join("\n") });
    }
  }
  return frames;
}
