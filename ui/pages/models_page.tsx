import { Layout } from "./layout.tsx";

/**
 * Every model with its live state, Load and Unload buttons, and the
 * requests in flight and waiting. Filled in by `models_page.js`.
 */
export function ModelsPage() {
  return (
    <Layout page="models" title="Models">
      <div class="page-head">
        <h1>Models</h1>
        <p class="summary" aria-live="polite">
          <span class="pill">
            In flight <strong id="inflight-count">0</strong>
          </span>
          <span class="pill">
            Waiting <strong id="queue-depth">0</strong>
          </span>
        </p>
        <button type="button" id="unload-all" class="danger">
          Unload all
        </button>
      </div>
      <p id="models-empty" class="empty">Waiting for the model list…</p>
      <ul id="model-list" class="model-grid" aria-label="Models"></ul>
      <section id="queue-section" aria-labelledby="queue-title" hidden>
        <h2 id="queue-title">Waiting for a model</h2>
        <ol id="queue-list" class="queue-list"></ol>
      </section>
    </Layout>
  );
}
