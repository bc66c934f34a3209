/**
 * The Playground: a streaming chat with one model over
 * `/v1/chat/completions`. `reasoning_content` (the model's thinking, and
 * the proxy's loading remarks while the model starts) fills a collapsible
 * "Thinking" block as it arrives; the answer follows below it.
 *
 * @module
 */
import { errorText } from "./api_client.js";
import { ChatStreamReader } from "./chat_stream.js";
import { formatRate } from "./format.js";
import { messageOf, startShell } from "./shell.js";

const shell = startShell();
const { api } = shell;

const MODEL_STORAGE_NAME = "llama-swap.playgroundModel";

const picker = /** @type {HTMLSelectElement} */ (
  document.getElementById("chat-model")
);
const log = /** @type {HTMLElement} */ (document.getElementById("chat-log"));
const form = /** @type {HTMLFormElement} */ (
  document.getElementById("chat-form")
);
const input = /** @type {HTMLTextAreaElement} */ (
  document.getElementById("chat-input")
);
const send = /** @type {HTMLButtonElement} */ (
  document.getElementById("chat-send")
);
const stop = /** @type {HTMLButtonElement} */ (
  document.getElementById("chat-stop")
);
const status = /** @type {HTMLElement} */ (
  document.getElementById("chat-status")
);

/** @type {{ role: string, content: string }[]} the conversation so far */
let history = [];
/** @type {AbortController | null} the answer being streamed */
let answering = null;

void loadModels();

form.addEventListener("submit", (e) => {
  e.preventDefault();
  void ask();
});
input.addEventListener("keydown", (e) => {
  if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
    e.preventDefault();
    form.requestSubmit();
  }
});
stop.addEventListener("click", () => answering?.abort());
document.getElementById("chat-reset")?.addEventListener("click", () => {
  answering?.abort();
  history = [];
  log.replaceChildren();
  status.textContent = "";
  input.focus();
});
picker.addEventListener("change", () => {
  try {
    localStorage.setItem(MODEL_STORAGE_NAME, picker.value);
  } catch {
    // Storage is blocked: the choice is not remembered.
  }
});

/** Fills the model picker from `/v1/models`. */
async function loadModels() {
  try {
    const listing = await api.json("/v1/models");
    /** @type {any[]} */
    const records = Array.isArray(listing?.data) ? listing.data : [];
    picker.replaceChildren(...records.map((record) => {
      const option = document.createElement("option");
      option.value = record.id;
      option.textContent = record.name && record.name !== record.id
        ? `${record.name} (${record.id})`
        : record.id;
      return option;
    }));
    if (records.length === 0) {
      const option = document.createElement("option");
      option.value = "";
      option.textContent = "No models";
      picker.append(option);
    }
    let saved = null;
    try {
      saved = localStorage.getItem(MODEL_STORAGE_NAME);
    } catch {
      saved = null;
    }
    if (saved && records.some((r) => r.id === saved)) picker.value = saved;
  } catch (error) {
    shell.notify(`Cannot list the models: ${messageOf(error)}`);
  }
}

/** Sends the typed message and streams the answer into the log. */
async function ask() {
  const text = input.value.trim();
  const model = picker.value;
  if (text === "" || model === "" || answering) return;

  log.querySelector(".empty")?.remove();
  history.push({ role: "user", content: text });
  log.append(bubble("user", text));
  input.value = "";
  const reply = new AnswerView();
  log.append(reply.element);

  answering = new AbortController();
  setBusy(true);
  status.textContent = `Asking ${model}…`;
  try {
    const answer = await stream(model, reply, answering.signal);
    history.push({ role: "assistant", content: answer });
    status.textContent = reply.speed > 0
      ? `${formatRate(reply.speed)} tokens/s`
      : "";
  } catch (error) {
    history.pop();
    const stopped = answering.signal.aborted;
    reply.fail(stopped ? "Stopped." : messageOf(error));
    status.textContent = stopped ? "Stopped" : "Failed";
  } finally {
    answering = null;
    setBusy(false);
    input.focus();
  }
}

/**
 * Posts the conversation and feeds the streamed answer to `view`.
 * Resolves to the answer text; rejects on an HTTP or in-band error.
 *
 * @param {string} model
 * @param {AnswerView} view
 * @param {AbortSignal} signal
 * @returns {Promise<string>}
 */
async function stream(model, view, signal) {
  const response = await api.request("/v1/chat/completions", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ model, messages: history, stream: true }),
    signal,
  });
  if (!response.ok || !response.body) {
    throw new Error(await errorText(response));
  }

  const reader = new ChatStreamReader();
  const decoder = new TextDecoder();
  const body = response.body.getReader();
  for (;;) {
    const { value, done } = await body.read();
    if (done) break;
    for (const update of reader.push(decoder.decode(value, { stream: true }))) {
      if (update.kind === "error") {
        await body.cancel();
        throw new Error(update.message);
      }
      view.apply(update);
    }
  }
  view.finish();
  return view.answer;
}

/** One assistant reply: a "Thinking" block, then the answer. */
class AnswerView {
  constructor() {
    this.element = document.createElement("article");
    this.element.className = "message assistant";
    this.element.setAttribute("aria-label", "Answer");
    this.thinking = document.createElement("details");
    this.thinking.className = "thinking";
    this.thinking.hidden = true;
    const summary = document.createElement("summary");
    summary.textContent = "Thinking";
    this.thinkingText = document.createElement("pre");
    this.thinking.append(summary, this.thinkingText);
    this.body = document.createElement("div");
    this.body.className = "answer";
    this.element.append(this.thinking, this.body);
    this.answer = "";
    this.speed = 0;
    this.element.dataset.state = "waiting";
  }

  /** @param {import("./chat_stream.js").ChatUpdate} update */
  apply(update) {
    if (update.kind === "reasoning") {
      if (this.thinking.hidden) {
        this.thinking.hidden = false;
        this.thinking.open = true;
      }
      this.thinkingText.append(update.text);
      this.element.dataset.state = "thinking";
    } else if (update.kind === "content") {
      if (this.answer === "" && this.thinking.open) this.thinking.open = false;
      this.answer += update.text;
      this.body.append(update.text);
      this.element.dataset.state = "answering";
    } else if (update.kind === "speed") {
      this.speed = update.tokensPerSecond;
    }
    log.scrollTop = log.scrollHeight;
  }

  finish() {
    this.element.dataset.state = "done";
  }

  /** @param {string} message */
  fail(message) {
    const note = document.createElement("p");
    note.className = "error";
    note.textContent = message;
    this.element.append(note);
    this.element.dataset.state = "failed";
  }
}

/**
 * @param {string} role
 * @param {string} text
 */
function bubble(role, text) {
  const element = document.createElement("article");
  element.className = `message ${role}`;
  element.setAttribute("aria-label", role === "user" ? "You" : "Answer");
  const body = document.createElement("div");
  body.className = "answer";
  body.textContent = text;
  element.append(body);
  return element;
}

/** @param {boolean} busy */
function setBusy(busy) {
  send.disabled = busy;
  stop.hidden = !busy;
}
