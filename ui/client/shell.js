/**
 * What every page shares: the API client with its key dialog, the live
 * event connection and its status badge, the live model state (polled
 * when the server has no event stream), the theme button, the version in
 * the footer and a notice area for errors. Each page script calls
 * `startShell()` once.
 *
 * @module
 */
import { ApiClient } from "./api_client.js";
import { LiveEvents } from "./live_events.js";
import { LiveState, statusesFromListing } from "./live_state.js";

const THEME_STORAGE_NAME = "llama-swap.theme";
const THEMES = ["auto", "light", "dark"];
/** How often model states are polled when `/api/events` is missing. */
const POLL_MS = 2000;
/** How long a notice stays up. */
const NOTICE_MS = 8000;

const STATUS_TEXT = {
  connecting: "Connecting…",
  open: "Live",
  retrying: "Reconnecting…",
  unauthorized: "Needs API key",
  unavailable: "Polling (no live events)",
  stopped: "Offline",
};

/** Pages of the older UI, which used hash routes under `/ui/`. */
const LEGACY_ROUTES = {
  "#/": "/ui/",
  "#/models": "/ui/",
  "#/logs": "/ui/logs",
  "#/activity": "/ui/activity",
  "#/playground": "/ui/playground",
};

/**
 * @typedef {object} Shell
 * @property {ApiClient} api
 * @property {LiveEvents} events
 * @property {LiveState} state
 * @property {(message: string) => void} notify shows an error to the user
 * @property {(path: string) => string} modelPath `author/model` with each
 *   segment URL-encoded, slashes kept
 */

/** @returns {Shell} */
export function startShell() {
  redirectLegacyHash();
  setUpTheme();

  /** @type {Promise<boolean> | null} */
  let asking = null;
  /** @param {"missing" | "rejected"} reason */
  const askForKey = (reason) => {
    asking ??= openKeyDialog(api, reason).then((saved) => {
      if (saved && events.status === "unauthorized") events.restart();
      return saved;
    }).finally(() => {
      asking = null;
    });
    return asking;
  };

  const api = new ApiClient({
    fetch: (url, init) => fetch(url, init),
    storage: safeLocalStorage(),
    askForKey,
  });
  const events = new LiveEvents({
    fetch: (url, init) => fetch(url, init),
    headers: () => api.headers(),
  });
  const state = new LiveState();
  events.on("reset", () => state.reset());
  events.on("*", (data, type) => state.apply(type, data));

  const badge = document.getElementById("connection");
  const poller = new ModelPoller(api, state);
  events.onStatus((status) => {
    if (badge) {
      badge.dataset.status = status;
      badge.textContent = STATUS_TEXT[status] ?? status;
    }
    if (status === "unavailable") poller.start();
    else poller.stop();
    if (status === "unauthorized") {
      void askForKey(api.key ? "rejected" : "missing");
    }
  });

  document.getElementById("key-button")?.addEventListener("click", () => {
    void openKeyDialog(api, "manual").then((saved) => {
      if (saved) events.restart();
    });
  });

  events.start();
  void showVersion(api);

  return {
    api,
    events,
    state,
    notify,
    modelPath: (id) => id.split("/").map(encodeURIComponent).join("/"),
  };
}

/**
 * Reads model states from `/v1/models` and `/running` while the server
 * offers no event stream.
 */
class ModelPoller {
  /** @type {ApiClient} */
  #api;
  /** @type {LiveState} */
  #state;
  /** @type {number | null} */
  #timer = null;
  #running = false;

  /**
   * @param {ApiClient} api
   * @param {LiveState} state
   */
  constructor(api, state) {
    this.#api = api;
    this.#state = state;
  }

  start() {
    if (this.#running) return;
    this.#running = true;
    void this.#poll();
  }

  stop() {
    this.#running = false;
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
  }

  async #poll() {
    try {
      const [listing, running] = await Promise.all([
        this.#api.json("/v1/models"),
        this.#api.json("/running"),
      ]);
      if (this.#running) {
        this.#state.apply("modelStatus", statusesFromListing(listing, running));
      }
    } catch (error) {
      notify(`Cannot read the model list: ${messageOf(error)}`);
    }
    if (this.#running) {
      this.#timer = setTimeout(() => void this.#poll(), POLL_MS);
    }
  }
}

/**
 * Shows the API key dialog. Resolves true when a key was saved, false
 * when the user cancelled or forgot the key.
 *
 * @param {ApiClient} api
 * @param {"missing" | "rejected" | "manual"} reason
 * @returns {Promise<boolean>}
 */
function openKeyDialog(api, reason) {
  const dialog = /** @type {HTMLDialogElement | null} */ (
    document.getElementById("key-dialog")
  );
  const input = /** @type {HTMLInputElement | null} */ (
    document.getElementById("key-input")
  );
  const text = document.getElementById("key-reason");
  if (!dialog || !input) return Promise.resolve(false);

  if (text) {
    text.textContent = reason === "missing"
      ? "This server needs an API key. It is kept in this browser and sent with every request."
      : reason === "rejected"
      ? "The server did not accept the saved API key. Enter another one."
      : "The key is kept in this browser and sent with every request.";
  }
  input.value = api.key;
  if (dialog.open) dialog.close("cancel");
  dialog.returnValue = "";
  dialog.showModal();
  input.focus();

  return new Promise((resolve) => {
    dialog.addEventListener("close", () => {
      if (dialog.returnValue === "save" && input.value.trim() !== "") {
        api.setKey(input.value);
        resolve(true);
        return;
      }
      if (dialog.returnValue === "forget") api.setKey("");
      resolve(false);
    }, { once: true });
  });
}

/** Sends `#/logs` style links of the older UI to the matching page. */
function redirectLegacyHash() {
  const target = LEGACY_ROUTES[location.hash.split("?")[0]];
  if (target && location.pathname === "/ui/") location.replace(target);
}

function setUpTheme() {
  const button = document.getElementById("theme-button");
  const root = document.documentElement;
  const show = () => {
    const theme = root.dataset.theme ?? "auto";
    if (!button) return;
    button.textContent = `Theme: ${theme}`;
    button.setAttribute(
      "aria-label",
      `Colour theme: ${theme === "auto" ? "automatic" : theme}. Change theme`,
    );
  };
  show();
  button?.addEventListener("click", () => {
    const current = root.dataset.theme ?? "auto";
    const next = THEMES[(THEMES.indexOf(current) + 1) % THEMES.length];
    if (next === "auto") delete root.dataset.theme;
    else root.dataset.theme = next;
    try {
      if (next === "auto") localStorage.removeItem(THEME_STORAGE_NAME);
      else localStorage.setItem(THEME_STORAGE_NAME, next);
    } catch {
      // Storage is blocked: the choice lasts until the page is left.
    }
    show();
  });
}

/** @param {ApiClient} api */
async function showVersion(api) {
  const target = document.getElementById("version");
  if (!target) return;
  try {
    const version = await api.json("/api/version");
    target.textContent = `llama-swap ${version.version} (${version.commit})`;
  } catch {
    target.textContent = "";
  }
}

/** @type {number | null} */
let noticeTimer = null;

/**
 * Shows an error message for a few seconds.
 *
 * @param {string} message
 */
export function notify(message) {
  const box = document.getElementById("notice");
  if (!box) return;
  box.textContent = message;
  box.hidden = false;
  if (noticeTimer !== null) clearTimeout(noticeTimer);
  noticeTimer = setTimeout(() => {
    box.hidden = true;
  }, NOTICE_MS);
}

/**
 * The text of a thrown value.
 *
 * @param {unknown} error
 * @returns {string}
 */
export function messageOf(error) {
  return error instanceof Error ? error.message : String(error);
}

/** `localStorage`, or null where the browser blocks it. */
function safeLocalStorage() {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null;
  }
}
