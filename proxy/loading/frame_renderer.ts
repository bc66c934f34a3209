import type { LoadingStateFormat } from "../../config/types.ts";

/** Characters (code points) written per typed event. */
const TYPING_CHUNK_CHARS = 5;
/** Typing speed; sets the pause after each typed chunk. */
const TYPING_CHARS_PER_SECOND = 75;

const encoder = new TextEncoder();

/** One SSE event, ready to write, and how long typing waits after it. */
export interface Frame {
  readonly bytes: Uint8Array;
  /** Pause before the next frame while typing; 0 for none. */
  readonly pauseMs: number;
}

/**
 * Turns pieces of loading text into SSE events in one loading format.
 *
 * Pure and stateless: `LoadingStream` decides what to say and when, the
 * renderer only decides the bytes. Every frame is a complete SSE event, so
 * frames may be written in any grouping without breaking the framing.
 */
export interface FrameRenderer {
  /** A banner line: the text, typed, then a line break. */
  line(text: string): Frame[];
  /** A remark or status on a line of its own, typed, that dots may trail. */
  note(text: string): Frame[];
  /** The tick shown while nothing else is due. */
  dot(): Frame[];
  /** The closing lines: `summary`, the separator and a blank line. */
  ending(summary: string, separator: string): Frame[];
}

/** The renderer for `format`. */
export function frameRenderer(format: LoadingStateFormat): FrameRenderer {
  return format === "reasoning" ? reasoningRenderer : commentRenderer;
}

/**
 * Text in `delta.reasoning_content` of chat completion chunks, so chat UIs
 * show it as the model's thinking and never as part of the answer. Text is
 * typed in small chunks, each its own event.
 */
const reasoningRenderer: FrameRenderer = {
  line: (text) => [...typed(text), reasoning("\n")],
  note: (text) => [reasoning("\n"), ...typed(text), reasoning(" ")],
  dot: () => [reasoning(".")],
  ending: (summary, separator) => [
    reasoning("\n"),
    reasoning(summary),
    reasoning("\n"),
    reasoning(separator),
    reasoning("\n"),
    reasoning(" "),
    reasoning("\n"),
  ],
};

/**
 * SSE comment lines (`: text`), which SSE clients ignore and people reading
 * the raw stream see. Each line is written whole, without typing.
 */
const commentRenderer: FrameRenderer = {
  line: (text) => [comment(text)],
  note: (text) => [comment(text)],
  dot: () => [comment(".")],
  ending: (summary, separator) => [comment(summary), comment(separator)],
};

function typed(text: string): Frame[] {
  const chars = [...text];
  const frames: Frame[] = [];
  for (let at = 0; at < chars.length; at += TYPING_CHUNK_CHARS) {
    const chunk = chars.slice(at, at + TYPING_CHUNK_CHARS);
    const pauseMs = chunk.length * 1000 / TYPING_CHARS_PER_SECOND;
    frames.push(reasoning(chunk.join(""), pauseMs));
  }
  return frames;
}

/**
 * A chunk whose JSON holds nothing but the text: no id, role, index or
 * `content`, so the text never mixes into the answer. `JSON.stringify`
 * escapes quotes, control characters and lone surrogates, so any text
 * yields valid JSON.
 */
function reasoning(text: string, pauseMs = 0): Frame {
  const chunk = { choices: [{ delta: { reasoning_content: text } }] };
  return {
    bytes: encoder.encode(`data: ${JSON.stringify(chunk)}\n\n`),
    pauseMs,
  };
}

/**
 * One comment event per line of `text`. A line break inside a comment would
 * end it and turn the rest into a field, so the text is split first.
 */
function comment(text: string): Frame {
  const lines = text.split(/\r\n|\r|\n/).map((line) => `: ${line}\n\n`);
  return { bytes: encoder.encode(lines.join("")), pauseMs: 0 };
}
