// @ts-check
/**
 * The activity page's chart of generation speed (tokens per second) over
 * time, one line per model, drawn as SVG markup. Pure; colours come from
 * the `series-N` classes in app.css so they follow the theme.
 *
 * @module
 */
import { formatClock } from "./format.js";

/** How many distinct series colours app.css defines. */
export const SERIES_COLOURS = 8;

/**
 * @typedef {object} SpeedEntry the activity entry fields the chart reads
 * @property {string} timestamp RFC 3339
 * @property {string} model
 * @property {{ tokens_per_second: number }} tokens
 */

/**
 * @typedef {object} SpeedSeries
 * @property {string} model
 * @property {number} colour index into the `series-N` classes
 * @property {{ time: number, rate: number }[]} points oldest first
 */

/**
 * Groups entries with a known speed by model, sorted by model name, points
 * oldest first. Entries with an unknown speed (-1) or a bad time are left
 * out.
 *
 * @param {readonly SpeedEntry[]} entries
 * @returns {SpeedSeries[]}
 */
export function speedSeries(entries) {
  /** @type {Map<string, { time: number, rate: number }[]>} */
  const byModel = new Map();
  for (const entry of entries) {
    const rate = entry.tokens?.tokens_per_second;
    const time = Date.parse(entry.timestamp);
    if (typeof rate !== "number" || !(rate > 0) || Number.isNaN(time)) {
      continue;
    }
    const points = byModel.get(entry.model) ?? [];
    points.push({ time, rate });
    byModel.set(entry.model, points);
  }
  return [...byModel.keys()].sort().map((model, index) => ({
    model,
    colour: index % SERIES_COLOURS,
    points: (byModel.get(model) ?? []).sort((a, b) => a.time - b.time),
  }));
}

/**
 * @typedef {object} ChartSize
 * @property {number} [width] viewBox width, default 640
 * @property {number} [height] viewBox height, default 220
 */

/**
 * SVG markup for `series`, or "" when there is no point to draw. The SVG
 * scales to its container (viewBox, no fixed size) and has a text
 * alternative for screen readers.
 *
 * @param {readonly SpeedSeries[]} series
 * @param {ChartSize} [size]
 * @returns {string}
 */
export function speedChartSvg(series, size = {}) {
  const width = size.width ?? 640;
  const height = size.height ?? 220;
  const all = series.flatMap((s) => s.points);
  if (all.length === 0) return "";

  const box = { left: 48, right: width - 12, top: 12, bottom: height - 28 };
  const first = Math.min(...all.map((p) => p.time));
  const last = Math.max(...all.map((p) => p.time));
  const top = niceCeiling(Math.max(...all.map((p) => p.rate)));
  const x = (/** @type {number} */ time) =>
    last === first
      ? (box.left + box.right) / 2
      : box.left + (time - first) / (last - first) * (box.right - box.left);
  const y = (/** @type {number} */ rate) =>
    box.bottom - rate / top * (box.bottom - box.top);

  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" class="speed-chart" role="img" aria-labelledby="speed-chart-title">`,
    `<title id="speed-chart-title">${escapeXml(describe(series))}</title>`,
  ];
  for (const fraction of [0, 0.5, 1]) {
    const rate = top * fraction;
    const at = round(y(rate));
    parts.push(
      `<line class="grid" x1="${box.left}" x2="${box.right}" y1="${at}" y2="${at}"/>`,
      `<text class="axis" x="${box.left - 6}" y="${at + 4}" text-anchor="end">${
        formatAxis(rate)
      }</text>`,
    );
  }
  const labelY = height - 8;
  parts.push(
    `<text class="axis" x="${box.left}" y="${labelY}" text-anchor="start">${
      formatClock(first)
    }</text>`,
  );
  if (last !== first) {
    parts.push(
      `<text class="axis" x="${box.right}" y="${labelY}" text-anchor="end">${
        formatClock(last)
      }</text>`,
    );
  }

  for (const s of series) {
    const points = s.points.map((p) =>
      `${round(x(p.time))},${round(y(p.rate))}`
    );
    if (points.length > 1) {
      parts.push(
        `<polyline class="line series-${s.colour}" points="${
          points.join(" ")
        }"/>`,
      );
    }
    for (const p of s.points) {
      const label = `${s.model}: ${p.rate.toFixed(1)} tokens/s at ${
        formatClock(p.time)
      }`;
      parts.push(
        `<circle class="dot series-${s.colour}" cx="${round(x(p.time))}" cy="${
          round(y(p.rate))
        }" r="3"><title>${escapeXml(label)}</title></circle>`,
      );
    }
  }
  parts.push("</svg>");
  return parts.join("");
}

/**
 * `value` rounded up to 1, 2 or 5 times a power of ten, so axis labels
 * read well.
 *
 * @param {number} value
 * @returns {number}
 */
export function niceCeiling(value) {
  if (!(value > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) {
    if (value <= step * power) return step * power;
  }
  return 10 * power;
}

/**
 * @param {string} text
 * @returns {string}
 */
export function escapeXml(text) {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

/** @param {readonly SpeedSeries[]} series */
function describe(series) {
  const parts = series.map((s) => {
    const rates = s.points.map((p) => p.rate);
    const mean = rates.reduce((sum, rate) => sum + rate, 0) / rates.length;
    return `${s.model} averages ${
      mean.toFixed(1)
    } over ${rates.length} requests`;
  });
  return `Generation speed in tokens per second: ${parts.join("; ")}`;
}

/** @param {number} value */
function formatAxis(value) {
  return value >= 10 || value === 0 ? value.toFixed(0) : value.toFixed(1);
}

/** @param {number} value */
function round(value) {
  return Math.round(value * 10) / 10;
}
