// @ts-check
/**
 * The UI's connection to `GET /api/events`, read with `fetch()` so it can
 * send the API key (an `EventSource` cannot send headers). No DOM: the
 * shell injects `fetch`, the key headers and timers, and tests inject
 * fakes.
 *
 * @module
 */
import { SseFrameParser } from "./sse_frames.js";

/** The wait before the first reconnection attempt. */
export const FIRST_RETRY_MS = 1000;
/** The longest wait between reconnection attempts. */
export const MAX_RETRY_MS = 5000;

/**
 * The wait before reconnecting after `failures` attempts in a row that
 * did not open a stream (a stream that opened and then ended counts as
 * one): 1 s, doubling, at most 5 s.
 *
 * @param {number} failures at least 1
 * @returns {number} milliseconds
 */
export function retryDelay(failures) {
  const doublings = Math.max(0, failures - 1);
  return Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** doublings);
}

/**
 * @typedef {object} EventMessage
 * @property {string} type e.g. "modelStatus", "logData", "queue"
 * @property {unknown} data the payload, already decoded
 */

/**
 * Decodes the `data:` of one `/api/events` frame. Its envelope
 * `{"type", "data"}` carries the payload as a JSON-encoded string, so it
 * is parsed twice; a payload that is already an object is taken as it is.
 * Returns null for anything that is not such an envelope.
 *
 * @param {string} text
 * @returns {EventMessage | null}
 */
export function decodeEnvelope(text) {
  let envelope;
  try {
    envelope = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof envelope !== "object" || envelope === null) return null;
  if (typeof envelope.type !== "string") return null;
  if (typeof envelope.data !== "string") {
    return { type: envelope.type, data: envelope.data ?? null };
  }
  try {
    return { type: envelope.type, data: JSON.parse(envelope.data) };
  } catch {
    return null;
  }
}

/**
 * Where the connection stands:
 * - "connecting": first attempt under way;
 * - "open": the stream is being read;
 * - "retrying": waiting to reconnect, or reconnecting;
 * - "unauthorized": the server answered 401 or 403; nothing more happens
 *   until `restart()` (after the user entered a key);
 * - "unavailable": the server has no `/api/events` (404); pages fall back
 *   to polling;
 * - "stopped": `stop()` was called.
 *
 * @typedef {"connecting" | "open" | "retrying" | "unauthorized" | "unavailable" | "stopped"} LiveStatus
 */

/**
 * @typedef {object} LiveEventsOptions
 * @property {(url: string, init: RequestInit) => Promise<Response>} fetch
 * @property {() => Record<string, string>} headers asked before each attempt
 * @property {string} [url] default "/api/events"
 * @property {(run: () => void, ms: number) => unknown} [setTimer]
 * @property {(handle: unknown) => void} [clearTimer]
 * @property {(error: unknown) => void} [reportError] for listener failures
 */

/**
 * One live connection with listeners by message type. Each time a stream
 * opens, listeners of "reset" are called first (drop all state: the
 * server's initial burst rebuilds it), then every decoded message goes to
 * the listeners of its type and of "*".
 */
export class LiveEvents {
  /** @type {LiveEventsOptions} */
  #options;
  /** @type {Map<string, Set<(data: unknown, type: string) => void>>} */
  #listeners = new Map();
  /** @type {Set<(status: LiveStatus) => void>} */
  #statusListeners = new Set();
  /** @type {LiveStatus} */
  #status = "stopped";
  /** Bumped by start, stop and restart; an older run loop then exits. */
  #generation = 0;
  /** @type {AbortController | null} */
  #controller = null;
  /** @type {{ handle: unknown, wake: () => void } | null} */
  #timer = null;

  /** @param {LiveEventsOptions} options */
  constructor(options) {
    this.#options = options;
  }

  /** @returns {LiveStatus} */
  get status() {
    return this.#status;
  }

  /**
   * Calls `listener` with each payload of `type` ("*" for every type,
   * "reset" when a stream opens). Returns the function that removes it.
   *
   * @param {string} type
   * @param {(data: any, type: string) => void} listener
   * @returns {() => void}
   */
  on(type, listener) {
    let set = this.#listeners.get(type);
    if (!set) {
      set = new Set();
      this.#listeners.set(type, set);
    }
    set.add(listener);
    return () => set.delete(listener);
  }

  /**
   * Calls `listener` now with the current status and on every change.
   *
   * @param {(status: LiveStatus) => void} listener
   * @returns {() => void}
   */
  onStatus(listener) {
    this.#statusListeners.add(listener);
    listener(this.#status);
    return () => this.#statusListeners.delete(listener);
  }

  /** Connects unless already connected or trying to. */
  start() {
    if (this.#status !== "stopped") return;
    this.restart();
  }

  /** Drops the connection (or the wait) and connects again at once. */
  restart() {
    this.#halt();
    void this.#run(this.#generation);
  }

  /** Drops the connection and stays disconnected. */
  stop() {
    this.#halt();
    this.#setStatus("stopped");
  }

  #halt() {
    this.#generation++;
    this.#controller?.abort();
    this.#controller = null;
    if (this.#timer) {
      (this.#options.clearTimer ?? clearTimeout)(
        /** @type {number} */ (this.#timer.handle),
      );
      this.#timer.wake();
      this.#timer = null;
    }
  }

  /** @param {number} generation */
  async #run(generation) {
    let failures = 0;
    this.#setStatus("connecting");
    while (generation === this.#generation) {
      const outcome = await this.#attempt(generation);
      if (generation !== this.#generation) return;
      if (outcome === "unauthorized" || outcome === "unavailable") {
        this.#setStatus(outcome);
        return;
      }
      failures = outcome === "opened" ? 1 : failures + 1;
      this.#setStatus("retrying");
      await this.#sleep(retryDelay(failures));
    }
  }

  /**
   * One connection attempt, read to its end.
   *
   * @param {number} generation
   * @returns {Promise<"opened" | "failed" | "unauthorized" | "unavailable">}
   */
  async #attempt(generation) {
    const controller = new AbortController();
    this.#controller = controller;
    /** @type {Response} */
    let response;
    try {
      response = await this.#options.fetch(this.#options.url ?? "/api/events", {
        headers: { ...this.#options.headers(), Accept: "text/event-stream" },
        signal: controller.signal,
        cache: "no-store",
        // No browser login prompt on 401 (see api_client.js).
        credentials: "omit",
      });
    } catch {
      return "failed";
    }

    if (!response.ok || !response.body) {
      await response.body?.cancel();
      if (response.status === 401 || response.status === 403) {
        return "unauthorized";
      }
      return response.status === 404 ? "unavailable" : "failed";
    }
    if (generation !== this.#generation) {
      await response.body.cancel();
      return "opened";
    }

    this.#setStatus("open");
    this.#emit("reset", null);
    await this.#read(response.body, generation);
    return "opened";
  }

  /**
   * @param {ReadableStream<Uint8Array>} body
   * @param {number} generation
   */
  async #read(body, generation) {
    const reader = body.getReader();
    const decoder = new TextDecoder();
    const parser = new SseFrameParser();
    try {
      while (generation === this.#generation) {
        const { value, done } = await reader.read();
        if (done) break;
        for (
          const frame of parser.push(decoder.decode(value, { stream: true }))
        ) {
          const message = decodeEnvelope(frame.data);
          if (message) this.#emit(message.type, message.data);
        }
      }
    } catch {
      // The connection broke or was aborted; the run loop decides what next.
    } finally {
      reader.releaseLock();
      await body.cancel().catch(() => {});
    }
  }

  /**
   * @param {string} type
   * @param {unknown} data
   */
  #emit(type, data) {
    const targets = [
      ...(this.#listeners.get(type) ?? []),
      ...(type === "reset" ? [] : this.#listeners.get("*") ?? []),
    ];
    for (const listener of targets) {
      try {
        listener(data, type);
      } catch (error) {
        (this.#options.reportError ?? globalThis.reportError)?.(error);
      }
    }
  }

  /** @param {number} ms */
  #sleep(ms) {
    return new Promise((resolve) => {
      const wake = () => resolve(undefined);
      const setTimer = this.#options.setTimer ?? setTimeout;
      const handle = setTimer(() => {
        this.#timer = null;
        wake();
      }, ms);
      this.#timer = { handle, wake };
    });
  }

  /** @param {LiveStatus} status */
  #setStatus(status) {
    if (status === this.#status) return;
    this.#status = status;
    for (const listener of this.#statusListeners) listener(status);
  }
}
