// @ts-check
/**
 * The text of one log pane, capped so a long-running page does not grow
 * without end. Pure: the logs page renders what it says.
 *
 * @module
 */

/** About 100 KB of text per pane, as llama-swap's UI keeps. */
export const PANE_LIMIT_CHARS = 100 * 1024;

// ESC [ params intermediates final, and ESC ] ... BEL or ESC \ (titles, links):
// matching escape characters is the point here.
// deno-lint-ignore no-control-regex
const ANSI_CSI = /\x1b\[[0-?]*[ -/]*[@-~]/g;
// deno-lint-ignore no-control-regex
const ANSI_OSC = /\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)/g;

/**
 * `text` without ANSI escape sequences (colours, cursor moves, titles), which
 * model servers write for terminals.
 *
 * @param {string} text
 * @returns {string}
 */
export function stripAnsi(text) {
  return text.replace(ANSI_OSC, "").replace(ANSI_CSI, "");
}

/**
 * The last `limit` characters or so of a growing log. Once the text passes
 * the limit it is cut to nine tenths of it, at a line start when one is
 * near, so trimming happens now and then rather than on every chunk.
 */
export class LogTail {
  /** @type {number} */
  #limit;
  #text = "";

  /** @param {number} [limit] */
  constructor(limit = PANE_LIMIT_CHARS) {
    this.#limit = limit;
  }

  get text() {
    return this.#text;
  }

  /**
   * Adds a chunk. Returns true when older text was dropped, so the view
   * must be redrawn from `text`; false when appending `chunk` is enough.
   *
   * @param {string} chunk
   * @returns {boolean}
   */
  append(chunk) {
    this.#text += chunk;
    if (this.#text.length <= this.#limit) return false;

    const keep = Math.floor(this.#limit * 0.9);
    let start = this.#text.length - keep;
    const newline = this.#text.indexOf("\n", start - 1);
    if (newline >= 0 && newline - start < keep / 10) start = newline + 1;
    this.#text = this.#text.slice(start);
    return true;
  }

  clear() {
    this.#text = "";
  }
}
