// @ts-check
/**
 * Reads a streamed `/v1/chat/completions` answer into what the playground
 * shows: "thinking" text (`reasoning_content`, which also carries the
 * proxy's loading remarks while the model starts), answer text, the
 * generation speed and in-band errors. Pure.
 *
 * @module
 */
import { SseFrameParser } from "./sse_frames.js";

/**
 * @typedef {{ kind: "reasoning", text: string }
 *   | { kind: "content", text: string }
 *   | { kind: "speed", tokensPerSecond: number }
 *   | { kind: "error", message: string }
 *   | { kind: "done" }} ChatUpdate
 */

/** Turns decoded stream text, chunk by chunk, into `ChatUpdate`s. */
export class ChatStreamReader {
  #frames = new SseFrameParser();

  /**
   * @param {string} text the next decoded piece of the response body
   * @returns {ChatUpdate[]}
   */
  push(text) {
    return this.#frames.push(text).flatMap((frame) => readFrame(frame.data));
  }
}

/**
 * @param {string} data
 * @returns {ChatUpdate[]}
 */
function readFrame(data) {
  if (data.trim() === "[DONE]") return [{ kind: "done" }];
  let chunk;
  try {
    chunk = JSON.parse(data);
  } catch {
    return [];
  }
  if (typeof chunk !== "object" || chunk === null) return [];

  if (chunk.error) {
    const message = typeof chunk.error === "string"
      ? chunk.error
      : String(chunk.error.message ?? "the stream reported an error");
    return [{ kind: "error", message }];
  }

  /** @type {ChatUpdate[]} */
  const updates = [];
  const delta = chunk.choices?.[0]?.delta ?? {};
  const reasoning = delta.reasoning_content ?? delta.reasoning;
  if (typeof reasoning === "string" && reasoning !== "") {
    updates.push({ kind: "reasoning", text: reasoning });
  }
  if (typeof delta.content === "string" && delta.content !== "") {
    updates.push({ kind: "content", text: delta.content });
  }
  const speed = chunk.timings?.predicted_per_second;
  if (typeof speed === "number" && speed > 0) {
    updates.push({ kind: "speed", tokensPerSecond: speed });
  }
  return updates;
}
