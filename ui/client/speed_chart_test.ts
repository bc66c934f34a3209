import assert from "node:assert/strict";
import {
  escapeXml,
  niceCeiling,
  speedChartSvg,
  speedSeries,
} from "./speed_chart.js";

function entry(model: string, second: number, rate: number) {
  const timestamp = new Date(Date.UTC(2026, 0, 1, 12, 0, second))
    .toISOString();
  return { timestamp, model, tokens: { tokens_per_second: rate } };
}

Deno.test("speedSeries() groups known speeds by model, oldest first", () => {
  const series = speedSeries([
    entry("beta", 3, 20),
    entry("alpha", 2, 10),
    entry("alpha", 1, 12),
    entry("alpha", 4, -1),
  ]);

  assert.deepEqual(series.map((s) => [s.model, s.colour]), [
    ["alpha", 0],
    ["beta", 1],
  ]);
  assert.deepEqual(series[0]!.points.map((p) => p.rate), [12, 10]);
});

Deno.test("speedChartSvg() draws a line and dots per model", () => {
  const series = speedSeries([
    entry("alpha", 1, 12),
    entry("alpha", 2, 10),
    entry("beta", 3, 20),
  ]);

  const svg = speedChartSvg(series);

  assert.match(svg, /^<svg [^>]*role="img"/);
  assert.equal(svg.match(/<polyline /g)?.length, 1);
  assert.equal(svg.match(/<circle /g)?.length, 3);
  assert.match(svg, /class="dot series-1"/);
  assert.match(svg, />20</);
});

Deno.test("speedChartSvg() escapes model names", () => {
  const series = speedSeries([entry('<b>"x"&', 1, 5)]);

  const svg = speedChartSvg(series);

  assert.ok(!svg.includes("<b>"));
  assert.match(svg, /&#60;b&#62;&#34;x&#34;&#38;/);
});

Deno.test("speedChartSvg() draws nothing without data", () => {
  assert.equal(speedChartSvg(speedSeries([entry("a", 1, -1)])), "");
});

Deno.test("niceCeiling() rounds up to 1, 2 or 5 times a power of ten", () => {
  assert.deepEqual([0.3, 7, 12, 48, 51, 100].map(niceCeiling), [
    0.5,
    10,
    20,
    50,
    100,
    100,
  ]);
  assert.equal(escapeXml("'"), "&#39;");
});
