// @ts-check
/**
 * Calls to the proxy's API with the user's API key. The key lives in
 * `localStorage` (memory only when storage is blocked) and goes out as
 * `Authorization: Bearer <key>` on every call. No DOM: asking the user
 * for a key is the shell's `askForKey` callback.
 *
 * Requests go out with `credentials: "omit"`: the proxy's 401 carries
 * `WWW-Authenticate: Basic`, and for a request that may send credentials
 * the browser would answer it with its own login prompt instead of
 * handing the 401 to us.
 *
 * @module
 */

/** Where the key is kept in `localStorage`. */
export const KEY_STORAGE_NAME = "llama-swap.apiKey";

/**
 * @typedef {object} KeyStorage
 * @property {(name: string) => string | null} getItem
 * @property {(name: string, value: string) => void} setItem
 * @property {(name: string) => void} removeItem
 */

/**
 * @typedef {object} ApiClientOptions
 * @property {(url: string, init: RequestInit) => Promise<Response>} fetch
 * @property {KeyStorage | null} storage null keeps the key in memory only
 * @property {(reason: "missing" | "rejected") => Promise<boolean>} [askForKey]
 *   called when the server answers 401; resolves true once a new key was
 *   saved (the call is then sent again), false when the user gave up
 */

/** The UI's one way to call the API. */
export class ApiClient {
  /** @type {ApiClientOptions} */
  #options;
  /** @type {string} */
  #key;
  /** @type {Promise<boolean> | null} one prompt shared by concurrent 401s */
  #asking = null;

  /** @param {ApiClientOptions} options */
  constructor(options) {
    this.#options = options;
    this.#key = read(options.storage);
  }

  /** The saved key, "" when none. */
  get key() {
    return this.#key;
  }

  /**
   * Saves `key` ("" forgets it) for this and later visits.
   *
   * @param {string} key
   */
  setKey(key) {
    this.#key = key.trim();
    const storage = this.#options.storage;
    try {
      if (this.#key) storage?.setItem(KEY_STORAGE_NAME, this.#key);
      else storage?.removeItem(KEY_STORAGE_NAME);
    } catch {
      // Storage is blocked (private mode, quota): the key stays in memory.
    }
  }

  /**
   * `extra` plus the `Authorization` header when a key is saved.
   *
   * @param {Record<string, string>} [extra]
   * @returns {Record<string, string>}
   */
  headers(extra = {}) {
    return this.#key
      ? { ...extra, Authorization: `Bearer ${this.#key}` }
      : { ...extra };
  }

  /**
   * Sends a request with the key. On 401 it asks for a key and, once one
   * was saved, sends the request again; otherwise it returns the 401.
   * Network failures reject as `fetch` does. `init.body` must be a string
   * (or absent) so that it can be sent twice.
   *
   * @param {string} path
   * @param {RequestInit & { headers?: Record<string, string> }} [init]
   * @returns {Promise<Response>}
   */
  async request(path, init = {}) {
    for (;;) {
      const sentWith = this.#key;
      const response = await this.#options.fetch(path, {
        ...init,
        headers: this.headers(init.headers),
        credentials: "omit",
      });
      if (response.status !== 401 || !this.#options.askForKey) return response;

      await response.body?.cancel();
      if (this.#key === sentWith) {
        const saved = await this.#ask(sentWith ? "rejected" : "missing");
        if (!saved) return response;
      }
    }
  }

  /**
   * `request()` that parses a JSON answer and throws an `Error` carrying
   * the server's message for any status but 2xx.
   *
   * @param {string} path
   * @param {RequestInit & { headers?: Record<string, string> }} [init]
   * @returns {Promise<any>}
   */
  async json(path, init = {}) {
    const response = await this.request(path, init);
    if (!response.ok) throw new Error(await errorText(response));
    return await response.json();
  }

  /**
   * @param {"missing" | "rejected"} reason
   * @returns {Promise<boolean>}
   */
  #ask(reason) {
    const askForKey = this.#options.askForKey;
    if (!askForKey) return Promise.resolve(false);
    this.#asking ??= askForKey(reason).finally(() => {
      this.#asking = null;
    });
    return this.#asking;
  }
}

/**
 * The message of a failed response: the `error.message` (or `error`) of
 * a JSON envelope, else the text itself, else the status line.
 *
 * @param {Response} response
 * @returns {Promise<string>}
 */
export async function errorText(response) {
  const text = (await response.text().catch(() => "")).trim();
  try {
    const body = JSON.parse(text);
    const message = body?.error?.message ?? body?.error ?? body?.message;
    if (typeof message === "string" && message) return message;
  } catch {
    // Not JSON: the plain text below is the message.
  }
  if (text) return text.replace(/^llama-swap: /, "");
  return `${response.status} ${response.statusText}`.trim();
}

/**
 * @param {KeyStorage | null} storage
 * @returns {string}
 */
function read(storage) {
  try {
    return storage?.getItem(KEY_STORAGE_NAME) ?? "";
  } catch {
    return "";
  }
}
