import { Layout } from "./layout.tsx";

const COLUMNS = [
  { label: "#", numeric: true },
  { label: "Time", numeric: false },
  { label: "Model", numeric: false },
  { label: "Path", numeric: false },
  { label: "Status", numeric: true },
  { label: "Tokens in", numeric: true },
  { label: "Tokens out", numeric: true },
  { label: "Tokens/s", numeric: true },
  { label: "Duration", numeric: true },
  { label: "First token", numeric: true },
];

/**
 * Recent requests with token counts and speeds, a speed chart, totals and
 * the requests in flight. Filled in by `activity_page.js`.
 */
export function ActivityPage() {
  return (
    <Layout page="activity" title="Activity">
      <div class="page-head">
        <h1>Activity</h1>
        <div class="toolbar">
          <label for="activity-model">Model</label>
          <select id="activity-model">
            <option value="">All models</option>
          </select>
        </div>
      </div>
      <dl id="activity-stats" class="stats">
        <div>
          <dt>Requests</dt>
          <dd id="stat-requests">–</dd>
        </div>
        <div>
          <dt>Tokens in</dt>
          <dd id="stat-input">–</dd>
        </div>
        <div>
          <dt>Tokens out</dt>
          <dd id="stat-output">–</dd>
        </div>
      </dl>
      <section class="panel" aria-labelledby="chart-title">
        <h2 id="chart-title">Generation speed (tokens/s)</h2>
        <div id="speed-chart" class="chart"></div>
        <ul id="chart-legend" class="legend" aria-label="Chart legend"></ul>
      </section>
      <section class="panel" aria-labelledby="inflight-title">
        <h2 id="inflight-title">In flight</h2>
        <p id="inflight-empty" class="empty">Nothing in flight.</p>
        <div class="table-wrap">
          <table id="inflight-table" hidden>
            <thead>
              <tr>
                <th scope="col">Started</th>
                <th scope="col">Model</th>
                <th scope="col">Path</th>
                <th scope="col" class="num">Bytes sent</th>
                <th scope="col">
                  <span class="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody id="inflight-rows"></tbody>
          </table>
        </div>
      </section>
      <section class="panel" aria-labelledby="recent-title">
        <h2 id="recent-title">Recent requests</h2>
        <p id="activity-empty" class="empty">No requests yet.</p>
        <div class="table-wrap">
          <table id="activity-table">
            <thead>
              <tr>
                {COLUMNS.map((column) => (
                  <th scope="col" class={column.numeric ? "num" : undefined}>
                    {column.label}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody id="activity-rows"></tbody>
          </table>
        </div>
      </section>
    </Layout>
  );
}
