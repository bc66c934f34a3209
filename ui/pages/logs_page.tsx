import { Layout } from "./layout.tsx";

/** One scrolling log view with its heading and a jump-to-latest button. */
function LogPane(props: { id: string; title: string; hidden?: boolean }) {
  return (
    <section
      class="log-pane"
      data-pane={props.id}
      aria-labelledby={`${props.id}-log-title`}
      hidden={props.hidden}
    >
      <div class="pane-head">
        <h2 id={`${props.id}-log-title`}>{props.title}</h2>
        <button type="button" class="follow quiet" hidden>
          Jump to latest
        </button>
      </div>
      <pre
        class="log"
        tabindex={0}
        aria-label={`${props.title} log`}
        aria-live="off"
      >
      </pre>
    </section>
  );
}

/**
 * Live proxy and upstream logs, or one model's log. Filled in by
 * `logs_page.js`.
 */
export function LogsPage() {
  return (
    <Layout page="logs" title="Logs">
      <div class="page-head">
        <h1>Logs</h1>
        <div class="toolbar">
          <label for="log-source">Show</label>
          <select id="log-source">
            <option value="">Proxy and upstream</option>
          </select>
          <label class="check">
            <input type="checkbox" id="log-wrap" /> Wrap lines
          </label>
          <button type="button" id="log-clear" class="quiet">Clear</button>
        </div>
      </div>
      <div class="log-panes">
        <LogPane id="proxy" title="Proxy" />
        <LogPane id="upstream" title="Upstream" />
        <LogPane id="model" title="Model" hidden />
      </div>
    </Layout>
  );
}
