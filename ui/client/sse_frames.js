// @ts-check
/**
 * An incremental Server-Sent Events reader for `fetch()` bodies, which the
 * browser's `EventSource` cannot replace here because it sends no headers.
 * Pure: no DOM, no network; the shell, the playground and tests share it.
 *
 * Follows the WHATWG event stream rules that matter to our streams: lines
 * end with LF, CRLF or CR; `field:value` with one optional space after the
 * colon; several `data:` lines join with LF; lines starting with `:` are
 * comments; a blank line dispatches the frame; a frame without `data:`
 * dispatches nothing.
 *
 * @module
 */

/**
 * @typedef {object} SseFrame
 * @property {string} event `event:` name, "message" when the frame had none
 * @property {string} data the `data:` lines joined with LF
 * @property {string | null} id the frame's `id:`, null when it had none
 */

/** Splits decoded text, chunk by chunk, into complete SSE frames. */
export class SseFrameParser {
  /** Text after the last complete line, waiting for its line end. */
  #rest = "";
  /** True when the previous chunk ended with CR: a following LF belongs to it. */
  #afterCr = false;
  #event = "";
  /** @type {string[]} */
  #data = [];
  /** @type {string | null} */
  #id = null;

  /**
   * Feeds the next piece of decoded text; returns the frames it completed,
   * in order. A frame split across chunks comes out with the chunk that
   * ends it.
   *
   * @param {string} text
   * @returns {SseFrame[]}
   */
  push(text) {
    if (this.#afterCr && text.startsWith("\n")) text = text.slice(1);
    this.#afterCr = text.endsWith("\r");

    /** @type {SseFrame[]} */
    const frames = [];
    const lines = (this.#rest + text).split(/\r\n|\r|\n/);
    this.#rest = lines.pop() ?? "";
    for (const line of lines) {
      const frame = this.#line(line);
      if (frame) frames.push(frame);
    }
    return frames;
  }

  /**
   * Ends the stream. An unfinished frame is dropped, as the standard says
   * for a stream that closes without the final blank line.
   */
  end() {
    this.#rest = "";
    this.#afterCr = false;
    this.#reset();
  }

  /**
   * @param {string} line
   * @returns {SseFrame | null}
   */
  #line(line) {
    if (line === "") return this.#dispatch();
    if (line.startsWith(":")) return null;

    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);

    if (field === "data") this.#data.push(value);
    else if (field === "event") this.#event = value;
    else if (field === "id") this.#id = value;
    return null;
  }

  /** @returns {SseFrame | null} */
  #dispatch() {
    if (this.#data.length === 0) {
      this.#reset();
      return null;
    }
    const frame = {
      event: this.#event || "message",
      data: this.#data.join("\n"),
      id: this.#id,
    };
    this.#reset();
    return frame;
  }

  #reset() {
    this.#event = "";
    this.#data = [];
    this.#id = null;
  }
}
