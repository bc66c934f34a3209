// @ts-check
/**
 * What the server has told the UI about its models, its requests in
 * flight and its queue, kept from `/api/events` messages (or, when the
 * server has no event stream, from polling `/v1/models` and `/running`).
 * Pure: pages listen with `onChange()` and draw.
 *
 * @module
 */

/**
 * One model as `modelStatus` describes it.
 *
 * @typedef {object} ModelStatus
 * @property {string} id
 * @property {string} name
 * @property {string} description
 * @property {string} state stopped, starting, ready, stopping or shutdown
 * @property {boolean} unlisted
 * @property {string} peerID "" for local models
 * @property {string[]} [aliases]
 */

/**
 * @typedef {object} InFlightRequest
 * @property {string} id
 * @property {string} timestamp
 * @property {string} model
 * @property {string} req_path
 * @property {string} method
 * @property {number} resp_bytes
 * @property {number} elapsed_ms
 */

/**
 * @typedef {object} QueueEntry
 * @property {string} model
 * @property {number} position
 * @property {number} waited_ms
 */

/** Models, requests in flight and the queue, as last reported. */
export class LiveState {
  /** @type {ModelStatus[]} */
  models = [];
  /** @type {Map<string, InFlightRequest>} by request ID */
  inflight = new Map();
  /** Total in flight when the server only sends a count (`{"total":N}`). */
  inflightTotal = 0;
  /** @type {{ depth: number, entries: QueueEntry[] }} */
  queue = { depth: 0, entries: [] };
  /** @type {Set<() => void>} */
  #listeners = new Set();

  /**
   * Calls `listener` after every change. Returns the function that removes
   * it.
   *
   * @param {() => void} listener
   * @returns {() => void}
   */
  onChange(listener) {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Forgets everything; the server's initial burst comes next. */
  reset() {
    this.models = [];
    this.inflight = new Map();
    this.inflightTotal = 0;
    this.queue = { depth: 0, entries: [] };
    this.#changed();
  }

  /**
   * Applies one event message. Types other than `modelStatus`,
   * `inflight` and `queue` are ignored; returns whether anything changed.
   *
   * @param {string} type
   * @param {any} data
   * @returns {boolean}
   */
  apply(type, data) {
    if (type === "modelStatus" && Array.isArray(data)) {
      this.models = data;
    } else if (type === "inflight" && data && typeof data === "object") {
      this.#applyInflight(data);
    } else if (type === "queue" && data && typeof data === "object") {
      this.queue = {
        depth: Number(data.depth) || 0,
        entries: Array.isArray(data.entries) ? data.entries : [],
      };
    } else {
      return false;
    }
    this.#changed();
    return true;
  }

  /**
   * Requests in flight per model.
   *
   * @returns {Map<string, number>}
   */
  inflightByModel() {
    return countBy([...this.inflight.values()].map((r) => r.model));
  }

  /**
   * Queued requests per model.
   *
   * @returns {Map<string, number>}
   */
  waitingByModel() {
    return countBy(this.queue.entries.map((entry) => entry.model));
  }

  /** Requests in flight in total. */
  get inflightCount() {
    return Math.max(this.inflight.size, this.inflightTotal);
  }

  /** @param {any} data */
  #applyInflight(data) {
    if (typeof data.total === "number") {
      this.inflightTotal = data.total;
    } else if (data.operation === "snapshot") {
      /** @type {InFlightRequest[]} */
      const requests = Array.isArray(data.requests) ? data.requests : [];
      this.inflight = new Map(requests.map((r) => [r.id, r]));
    } else if (data.operation === "upsert" && data.request) {
      this.inflight.set(data.request.id, data.request);
    } else if (data.operation === "remove") {
      this.inflight.delete(data.id);
    }
  }

  #changed() {
    for (const listener of this.#listeners) listener();
  }
}

/**
 * Model statuses built from `GET /v1/models` and `GET /running`, for a
 * server without `/api/events`. A listed model that is not running is
 * "stopped"; unlisted models do not appear (the listing leaves them out).
 *
 * @param {{ data?: any[] }} listing the `/v1/models` answer
 * @param {{ running?: { model: string, state: string }[] }} running the
 *   `/running` answer
 * @returns {ModelStatus[]}
 */
export function statusesFromListing(listing, running) {
  const states = new Map(
    (running.running ?? []).map((entry) => [entry.model, entry.state]),
  );
  return (listing.data ?? [])
    .filter((record) => record?.meta?.llamaswap?.type !== "alias")
    .map((record) => {
      const meta = record.meta?.llamaswap ?? {};
      /** @type {ModelStatus} */
      const status = {
        id: String(record.id),
        name: typeof record.name === "string" ? record.name : "",
        description: typeof record.description === "string"
          ? record.description
          : "",
        state: states.get(record.id) ?? "stopped",
        unlisted: false,
        peerID: typeof meta.peerID === "string" ? meta.peerID : "",
      };
      if (Array.isArray(meta.aliases) && meta.aliases.length > 0) {
        status.aliases = meta.aliases.map(String);
      }
      return status;
    });
}

/**
 * @param {string[]} keys
 * @returns {Map<string, number>}
 */
function countBy(keys) {
  /** @type {Map<string, number>} */
  const counts = new Map();
  for (const key of keys) counts.set(key, (counts.get(key) ?? 0) + 1);
  return counts;
}
