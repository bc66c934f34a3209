/**
 * The Logs page: the proxy's and the upstreams' logs as they are written
 * (from `logData` events, whose first messages are the history), or one
 * model's log read from `/logs/stream/<model>`. Each pane keeps about the
 * last 100 KB, follows new lines, and stops following while the reader
 * has scrolled up.
 *
 * @module
 */
import { LogTail, stripAnsi } from "./log_tail.js";
import { messageOf, startShell } from "./shell.js";

const shell = startShell();
const { api, events, state } = shell;

/** A pane closer to the bottom than this still follows new lines. */
const FOLLOW_SLACK_PX = 24;

/** One log view: its text, its `<pre>` and whether it follows the end. */
class LogPane {
  /** @param {string} name */
  constructor(name) {
    this.section = /** @type {HTMLElement} */ (
      document.querySelector(`[data-pane="${name}"]`)
    );
    this.pre =
      /** @type {HTMLPreElement} */ (this.section.querySelector("pre"));
    this.jump = /** @type {HTMLButtonElement} */ (
      this.section.querySelector(".follow")
    );
    this.tail = new LogTail();
    this.following = true;
    this.lastScrollTop = 0;
    // Only a move up is the reader scrolling away: layout changes (a
    // resize, wrapping lines) also fire scroll events but never move up.
    this.pre.addEventListener("scroll", () => {
      const top = this.pre.scrollTop;
      if (this.#atBottom()) this.#follow(true);
      else if (top < this.lastScrollTop) this.#follow(false);
      this.lastScrollTop = top;
    });
    new ResizeObserver(() => this.settle()).observe(this.pre);
    this.jump.addEventListener("click", () => {
      this.#follow(true);
      this.#scrollToEnd();
    });
  }

  /** @param {string} chunk */
  append(chunk) {
    const text = stripAnsi(chunk);
    if (text === "") return;
    if (this.tail.append(text)) this.pre.textContent = this.tail.text;
    else this.pre.append(text);
    if (this.following) this.#scrollToEnd();
  }

  /** After a layout change: back to the end when following. */
  settle() {
    if (this.following) this.#scrollToEnd();
  }

  clear() {
    this.tail.clear();
    this.pre.textContent = "";
  }

  /** @param {boolean} on */
  #follow(on) {
    this.following = on;
    this.jump.hidden = on;
  }

  #atBottom() {
    const { scrollTop, clientHeight, scrollHeight } = this.pre;
    return scrollHeight - scrollTop - clientHeight <= FOLLOW_SLACK_PX;
  }

  #scrollToEnd() {
    this.pre.scrollTop = this.pre.scrollHeight;
  }
}

const panes = {
  proxy: new LogPane("proxy"),
  upstream: new LogPane("upstream"),
  model: new LogPane("model"),
};
const source = /** @type {HTMLSelectElement} */ (
  document.getElementById("log-source")
);
/** @type {AbortController | null} the open `/logs/stream/<model>` read */
let modelStream = null;

events.on("reset", () => {
  panes.proxy.clear();
  panes.upstream.clear();
});
events.on("logData", (data) => {
  if (data?.source === "proxy") panes.proxy.append(String(data.data ?? ""));
  if (data?.source === "upstream") {
    panes.upstream.append(String(data.data ?? ""));
  }
});
state.onChange(fillSourceChoices);

source.addEventListener("change", () => showSource(source.value));
document.getElementById("log-clear")?.addEventListener("click", () => {
  for (const pane of Object.values(panes)) pane.clear();
});
document.getElementById("log-wrap")?.addEventListener("change", (e) => {
  const wrap = /** @type {HTMLInputElement} */ (e.currentTarget).checked;
  document.body.classList.toggle("wrap-logs", wrap);
  for (const pane of Object.values(panes)) pane.settle();
});

const wanted = new URLSearchParams(location.search).get("model");
if (wanted) showSource(wanted);

/** Lists the local models as choices, keeping the current one. */
function fillSourceChoices() {
  const ids = state.models.filter((m) => !m.peerID).map((m) => m.id);
  if (source.value) ids.push(source.value);
  const unique = [...new Set(ids)].sort();
  const current = [...source.options].slice(1).map((o) => o.value);
  if (unique.join("\n") === current.join("\n")) return;
  const selected = source.value;
  source.replaceChildren(
    source.options[0],
    ...unique.map((id) => {
      const option = document.createElement("option");
      option.value = id;
      option.textContent = `Model ${id}`;
      return option;
    }),
  );
  source.value = selected;
}

/**
 * Shows the proxy and upstream panes (`model` ""), or the one pane of a
 * model's own log.
 *
 * @param {string} model
 */
function showSource(model) {
  modelStream?.abort();
  modelStream = null;
  panes.proxy.section.hidden = model !== "";
  panes.upstream.section.hidden = model !== "";
  panes.model.section.hidden = model === "";
  const url = new URL(location.href);
  if (model) url.searchParams.set("model", model);
  else url.searchParams.delete("model");
  history.replaceState(null, "", url);
  if (model === "") return;

  if (source.value !== model) {
    fillSourceChoices();
    source.value = model;
  }
  const title = panes.model.section.querySelector("h2");
  if (title) title.textContent = `Model ${model}`;
  panes.model.pre.setAttribute("aria-label", `Log of model ${model}`);
  panes.model.clear();
  modelStream = new AbortController();
  void readModelLog(model, modelStream.signal);
}

/**
 * Streams `/logs/stream/<model>` (history first) into the model pane
 * until `signal` aborts.
 *
 * @param {string} model
 * @param {AbortSignal} signal
 */
async function readModelLog(model, signal) {
  try {
    const response = await api.request(
      `/logs/stream/${shell.modelPath(model)}`,
      { signal },
    );
    if (!response.ok || !response.body) {
      await response.body?.cancel();
      shell.notify(
        `Cannot read the log of "${model}": the server answered ${response.status}`,
      );
      return;
    }
    const decoder = new TextDecoder();
    const reader = response.body.getReader();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      panes.model.append(decoder.decode(value, { stream: true }));
    }
  } catch (error) {
    if (!signal.aborted) {
      shell.notify(`The log of "${model}" stopped: ${messageOf(error)}`);
    }
  }
}
