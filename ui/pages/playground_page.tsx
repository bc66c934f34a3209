import { Layout } from "./layout.tsx";

/**
 * A streaming chat with any model: loading remarks and reasoning go to a
 * "thinking" block, then the answer. Driven by `playground_page.js`.
 */
export function PlaygroundPage() {
  return (
    <Layout page="playground" title="Playground">
      <div class="page-head">
        <h1>Playground</h1>
        <div class="toolbar">
          <label for="chat-model">Model</label>
          <select id="chat-model" required>
            <option value="">Loading models…</option>
          </select>
          <button type="button" id="chat-reset" class="quiet">New chat</button>
        </div>
      </div>
      <div
        id="chat-log"
        class="chat-log"
        role="log"
        aria-live="polite"
        aria-label="Conversation"
      >
        <p class="empty">Pick a model and say something.</p>
      </div>
      <form id="chat-form" class="chat-form">
        <label for="chat-input" class="sr-only">Message</label>
        <textarea
          id="chat-input"
          rows={3}
          placeholder="Message (Enter sends, Shift+Enter adds a line)"
          required
        >
        </textarea>
        <div class="actions">
          <span id="chat-status" class="status" role="status"></span>
          <button type="button" id="chat-stop" hidden>Stop</button>
          <button type="submit" id="chat-send" class="primary">Send</button>
        </div>
      </form>
    </Layout>
  );
}
