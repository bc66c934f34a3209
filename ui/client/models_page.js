/**
 * The Models page: one card per model with its live state, Load and
 * Unload buttons and its requests in flight and waiting; Unload all; the
 * queue of requests waiting for a model.
 *
 * @module
 */
import { errorText } from "./api_client.js";
import { formatDuration } from "./format.js";
import { messageOf, startShell } from "./shell.js";

const shell = startShell();
const { api, state } = shell;

const list = /** @type {HTMLUListElement} */ (
  document.getElementById("model-list")
);
const empty = /** @type {HTMLElement} */ (
  document.getElementById("models-empty")
);
/** @type {Map<string, ModelCard>} */
const cards = new Map();
/** Models whose Load request is still running, with its abort handle. */
/** @type {Map<string, AbortController>} */
const loading = new Map();

state.onChange(render);
shell.events.onStatus((status) => {
  if (status === "open" || status === "unavailable") return;
  if (state.models.length === 0) {
    empty.textContent = "Waiting for the model list…";
  }
});

document.getElementById("unload-all")?.addEventListener("click", async (e) => {
  const button = /** @type {HTMLButtonElement} */ (e.currentTarget);
  button.disabled = true;
  try {
    await api.json("/api/models/unload", { method: "POST" });
  } catch (error) {
    shell.notify(`Cannot unload the models: ${messageOf(error)}`);
  } finally {
    button.disabled = false;
  }
});

function render() {
  const inflight = state.inflightByModel();
  const waiting = state.waitingByModel();
  const seen = new Set();

  for (const model of state.models) {
    if (model.unlisted) continue;
    seen.add(model.id);
    let card = cards.get(model.id);
    if (!card) {
      card = new ModelCard(model.id);
      cards.set(model.id, card);
    }
    card.update(model, inflight.get(model.id) ?? 0, waiting.get(model.id) ?? 0);
    list.append(card.element);
  }
  for (const [id, card] of cards) {
    if (seen.has(id)) continue;
    card.element.remove();
    cards.delete(id);
  }

  empty.hidden = seen.size > 0;
  if (seen.size === 0) empty.textContent = "No models are configured.";
  text("inflight-count", String(state.inflightCount));
  text("queue-depth", String(state.queue.depth));
  renderQueue();
}

function renderQueue() {
  const section = document.getElementById("queue-section");
  const queue = document.getElementById("queue-list");
  if (!section || !queue) return;
  section.hidden = state.queue.entries.length === 0;
  queue.replaceChildren(...state.queue.entries.map((entry) => {
    const item = document.createElement("li");
    item.textContent = `${entry.model}: waiting ${
      formatDuration(entry.waited_ms)
    }`;
    return item;
  }));
}

/** The card of one model; kept across updates so focus is not lost. */
class ModelCard {
  /** @param {string} id */
  constructor(id) {
    this.id = id;
    this.element = document.createElement("li");
    this.element.className = "model-card";
    this.element.dataset.model = id;
    this.element.innerHTML = `
      <div class="card-head">
        <h2 class="model-name"></h2>
        <span class="state"></span>
      </div>
      <p class="model-id"><code></code><span class="peer" hidden></span></p>
      <p class="description" hidden></p>
      <p class="aliases" hidden></p>
      <p class="counts"></p>
      <div class="actions">
        <button type="button" class="load">Load</button>
        <button type="button" class="unload">Unload</button>
      </div>`;
    this.loadButton = /** @type {HTMLButtonElement} */ (
      this.element.querySelector(".load")
    );
    this.unloadButton = /** @type {HTMLButtonElement} */ (
      this.element.querySelector(".unload")
    );
    this.loadButton.addEventListener("click", () => void this.#load());
    this.unloadButton.addEventListener("click", () => void this.#unload());
    this.state = "stopped";
  }

  /**
   * @param {import("./live_state.js").ModelStatus} model
   * @param {number} inflight
   * @param {number} waiting
   */
  update(model, inflight, waiting) {
    this.state = model.state;
    const title = model.name || model.id;
    this.#set(".model-name", title);
    this.#set(".model-id code", model.id);
    this.#set(".peer", model.peerID ? `peer ${model.peerID}` : "");
    this.#set(".description", model.description);
    this.#set(
      ".aliases",
      model.aliases?.length ? `Aliases: ${model.aliases.join(", ")}` : "",
    );
    const counts = [];
    if (inflight > 0) counts.push(`${inflight} in flight`);
    if (waiting > 0) counts.push(`${waiting} waiting`);
    this.#set(".counts", counts.join(" · "));

    const badge = /** @type {HTMLElement} */ (
      this.element.querySelector(".state")
    );
    badge.textContent = model.state;
    badge.className = `state state-${model.state}`;
    this.element.dataset.state = model.state;

    const peer = model.peerID !== "";
    const busy = loading.has(this.id);
    this.loadButton.hidden = peer;
    this.unloadButton.hidden = peer;
    this.loadButton.disabled = busy || model.state !== "stopped";
    this.loadButton.textContent = busy ? "Loading…" : "Load";
    this.unloadButton.disabled = model.state === "stopped" ||
      model.state === "shutdown";
    this.loadButton.setAttribute("aria-label", `Load ${title}`);
    this.unloadButton.setAttribute("aria-label", `Unload ${title}`);
  }

  /**
   * Sets the text of the element at `selector`, hiding it when empty
   * (except the name and state, which are always shown).
   *
   * @param {string} selector
   * @param {string} value
   */
  #set(selector, value) {
    const target = /** @type {HTMLElement | null} */ (
      this.element.querySelector(selector)
    );
    if (!target) return;
    target.textContent = value;
    if (target.tagName !== "H2" && target.tagName !== "CODE") {
      target.hidden = value === "";
    }
  }

  /** Any request under `/upstream/<id>/` starts the model. */
  async #load() {
    const controller = new AbortController();
    loading.set(this.id, controller);
    render();
    try {
      const response = await api.request(
        `/upstream/${shell.modelPath(this.id)}/?_=${Date.now()}`,
        { signal: controller.signal },
      );
      await response.body?.cancel();
      if (response.status >= 500 || response.status === 404) {
        shell.notify(
          `Cannot load "${this.id}": the server answered ${response.status}`,
        );
      }
    } catch (error) {
      if (!controller.signal.aborted) {
        shell.notify(`Cannot load "${this.id}": ${messageOf(error)}`);
      }
    } finally {
      loading.delete(this.id);
      render();
    }
  }

  async #unload() {
    loading.get(this.id)?.abort();
    this.unloadButton.disabled = true;
    try {
      const response = await api.request(
        `/api/models/unload/${shell.modelPath(this.id)}`,
        { method: "POST" },
      );
      if (!response.ok) {
        shell.notify(
          `Cannot unload "${this.id}": ${await errorText(response)}`,
        );
      } else {
        await response.body?.cancel();
      }
    } catch (error) {
      shell.notify(`Cannot unload "${this.id}": ${messageOf(error)}`);
    } finally {
      render();
    }
  }
}

/**
 * @param {string} id
 * @param {string} value
 */
function text(id, value) {
  const target = document.getElementById(id);
  if (target) target.textContent = value;
}
