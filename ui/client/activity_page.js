/**
 * The Activity page: recent requests from `/api/metrics/activity`
 * (re-read on each `activity` event), totals from `/api/metrics/stats`,
 * a chart of generation speed per model, and the requests in flight with
 * a Cancel button each.
 *
 * @module
 */
import {
  formatClock,
  formatCount,
  formatDuration,
  formatRate,
} from "./format.js";
import { messageOf, startShell } from "./shell.js";
import { speedChartSvg, speedSeries } from "./speed_chart.js";

const shell = startShell();
const { api, events, state } = shell;

/** How many recent requests the table and the chart show. */
const ROWS = 200;
/** Activity events arriving closer together than this cause one read. */
const REFRESH_DEBOUNCE_MS = 250;

const filter = /** @type {HTMLSelectElement} */ (
  document.getElementById("activity-model")
);
/** @type {Set<string>} models seen in entries, for the filter */
const seenModels = new Set();
/** @type {number | null} */
let refreshTimer = null;
/** @type {any[]} the entries last drawn, for redrawing at a new width */
let lastEntries = [];
/** The chart's width when last drawn, in CSS pixels. */
let chartWidth = 0;
/** Bumped per read so a slow answer never overwrites a newer one. */
let readNumber = 0;

events.on("reset", () => scheduleRefresh(0));
events.on("activity", () => scheduleRefresh(REFRESH_DEBOUNCE_MS));
state.onChange(() => {
  fillFilter();
  renderInflight();
});
filter.addEventListener("change", () => {
  const url = new URL(location.href);
  if (filter.value) url.searchParams.set("model", filter.value);
  else url.searchParams.delete("model");
  history.replaceState(null, "", url);
  scheduleRefresh(0);
});

const wanted = new URLSearchParams(location.search).get("model");
if (wanted) {
  seenModels.add(wanted);
  fillFilter();
  filter.value = wanted;
}
new ResizeObserver(() => {
  const width = document.getElementById("speed-chart")?.clientWidth ?? 0;
  if (Math.abs(width - chartWidth) > 8) renderChart(lastEntries);
}).observe(/** @type {HTMLElement} */ (document.getElementById("speed-chart")));

// Without live events (none yet, or a server without them) read once now.
scheduleRefresh(0);

/** @param {number} ms */
function scheduleRefresh(ms) {
  if (refreshTimer !== null) clearTimeout(refreshTimer);
  refreshTimer = setTimeout(() => {
    refreshTimer = null;
    void refresh();
  }, ms);
}

async function refresh() {
  const number = ++readNumber;
  const model = filter.value;
  const query = new URLSearchParams({
    limit: String(ROWS),
    sort: "id",
    order: "desc",
  });
  if (model) query.append("model", model);
  const statsQuery = model ? `?model=${encodeURIComponent(model)}` : "";

  try {
    const [page, stats] = await Promise.all([
      api.json(`/api/metrics/activity?${query}`),
      api.json(`/api/metrics/stats${statsQuery}`).catch(() => null),
    ]);
    if (number !== readNumber) return;
    const entries = Array.isArray(page?.data) ? page.data : [];
    for (const entry of entries) seenModels.add(entry.model);
    fillFilter();
    renderRows(entries);
    renderChart(entries);
    renderStats(stats, page?.total);
  } catch (error) {
    if (number === readNumber) {
      shell.notify(`Cannot read the activity: ${messageOf(error)}`);
    }
  }
}

/** @param {any[]} entries newest first */
function renderRows(entries) {
  const body = /** @type {HTMLTableSectionElement} */ (
    document.getElementById("activity-rows")
  );
  const empty = document.getElementById("activity-empty");
  if (empty) empty.hidden = entries.length > 0;
  body.replaceChildren(...entries.map((entry) => {
    const row = document.createElement("tr");
    const failed = entry.resp_status_code >= 400;
    if (failed) row.className = "failed";
    const tokens = entry.tokens ?? {};
    const cells = [
      [String(entry.id), true],
      [formatClock(entry.timestamp), false],
      [entry.model, false],
      [entry.req_path, false],
      [String(entry.resp_status_code), true],
      [formatCount(tokens.input_tokens), true],
      [formatCount(tokens.output_tokens), true],
      [formatRate(tokens.tokens_per_second), true],
      [formatDuration(entry.duration_ms), true],
      [formatDuration(entry.ttft_ms), true],
    ];
    for (const [value, numeric] of cells) {
      const cell = document.createElement("td");
      cell.textContent = String(value);
      if (numeric) cell.className = "num";
      row.append(cell);
    }
    if (failed && entry.error_msg) row.title = entry.error_msg;
    return row;
  }));
}

/** @param {any[]} entries */
function renderChart(entries) {
  const chart = document.getElementById("speed-chart");
  const legend = document.getElementById("chart-legend");
  if (!chart || !legend) return;
  lastEntries = entries;
  chartWidth = chart.clientWidth;
  // Drawn at the size it is shown, so text and dots keep their pixel size.
  const width = Math.max(320, Math.round(chartWidth));
  const series = speedSeries(entries);
  const svg = speedChartSvg(series, { width, height: width < 560 ? 180 : 240 });
  if (svg === "") {
    chart.innerHTML = "";
    const note = document.createElement("p");
    note.className = "empty";
    note.textContent = "No generation speeds recorded yet.";
    chart.append(note);
  } else {
    chart.innerHTML = svg;
  }
  legend.replaceChildren(...series.map((s) => {
    const item = document.createElement("li");
    const swatch = document.createElement("span");
    swatch.className = `swatch series-${s.colour}`;
    swatch.setAttribute("aria-hidden", "true");
    item.append(swatch, `${s.model} (${s.points.length})`);
    return item;
  }));
}

/**
 * @param {any} stats the `/api/metrics/stats` answer, null when missing
 * @param {number | undefined} total entries matching the filter
 */
function renderStats(stats, total) {
  set("stat-requests", formatCount(stats?.total_requests ?? total ?? -1));
  set("stat-input", formatCount(stats?.total_input_tokens ?? -1));
  set("stat-output", formatCount(stats?.total_output_tokens ?? -1));
}

function renderInflight() {
  const body = document.getElementById("inflight-rows");
  const table = document.getElementById("inflight-table");
  const empty = document.getElementById("inflight-empty");
  if (!body || !table || !empty) return;
  const requests = [...state.inflight.values()];
  table.hidden = requests.length === 0;
  empty.hidden = requests.length > 0;
  if (requests.length === 0 && state.inflightTotal > 0) {
    empty.hidden = false;
    empty.textContent = `${state.inflightTotal} in flight.`;
  } else {
    empty.textContent = "Nothing in flight.";
  }
  body.replaceChildren(...requests.map((request) => {
    const row = document.createElement("tr");
    for (
      const [value, numeric] of [
        [formatClock(request.timestamp), false],
        [request.model, false],
        [request.req_path, false],
        [formatCount(request.resp_bytes), true],
      ]
    ) {
      const cell = document.createElement("td");
      cell.textContent = String(value);
      if (numeric) cell.className = "num";
      row.append(cell);
    }
    const actions = document.createElement("td");
    const cancel = document.createElement("button");
    cancel.type = "button";
    cancel.className = "quiet";
    cancel.textContent = "Cancel";
    cancel.setAttribute("aria-label", `Cancel request ${request.id}`);
    cancel.addEventListener("click", () => void cancelRequest(request.id));
    actions.append(cancel);
    row.append(actions);
    return row;
  }));
}

/** @param {string} id */
async function cancelRequest(id) {
  try {
    await api.json(`/api/inflight/${encodeURIComponent(id)}/cancel`, {
      method: "POST",
    });
  } catch (error) {
    shell.notify(`Cannot cancel request ${id}: ${messageOf(error)}`);
  }
}

/** Offers every known model in the filter, keeping the choice. */
function fillFilter() {
  for (const model of state.models) {
    if (!model.unlisted) seenModels.add(model.id);
  }
  const ids = [...seenModels].sort();
  const current = [...filter.options].slice(1).map((o) => o.value);
  if (ids.join("\n") === current.join("\n")) return;
  const selected = filter.value;
  filter.replaceChildren(
    filter.options[0],
    ...ids.map((id) => {
      const option = document.createElement("option");
      option.value = id;
      option.textContent = id;
      return option;
    }),
  );
  filter.value = selected;
}

/**
 * @param {string} id
 * @param {string} value
 */
function set(id, value) {
  const target = document.getElementById(id);
  if (target) target.textContent = value;
}
