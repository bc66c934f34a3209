import assert from "node:assert/strict";
import { MetricsRegistry } from "./prometheus.ts";
import { parsePrometheusText } from "./prometheus_parse.ts";

Deno.test("MetricsRegistry.render() writes HELP, TYPE and sorted series", () => {
  const registry = new MetricsRegistry();
  const requests = registry.counter("demo_requests_total", "Requests.", [
    "model",
  ]);
  registry.gauge("demo_queue_depth", "Queued requests.");
  requests.inc({ model: "b" });
  requests.inc({ model: "a" }, 2);

  const text = registry.render();

  assert.equal(
    text,
    [
      "# HELP demo_queue_depth Queued requests.",
      "# TYPE demo_queue_depth gauge",
      "demo_queue_depth 0",
      "# HELP demo_requests_total Requests.",
      "# TYPE demo_requests_total counter",
      'demo_requests_total{model="a"} 2',
      'demo_requests_total{model="b"} 1',
      "",
    ].join("\n"),
  );
});

Deno.test("MetricsRegistry.render() output parses back with escaped labels intact", () => {
  const registry = new MetricsRegistry();
  const odd = 'back\\slash "quoted"\nnew line';
  const gauge = registry.gauge("demo_state", "Help with \\ and\nnewline.", [
    "model",
    "state",
  ]);
  gauge.set({ model: odd, state: "ready" }, 1);
  gauge.set({ model: "plain", state: "stopped" }, -0.5);

  const parsed = parsePrometheusText(registry.render());

  assert.deepEqual(parsed.samples, [
    { name: "demo_state", labels: { model: odd, state: "ready" }, value: 1 },
    {
      name: "demo_state",
      labels: { model: "plain", state: "stopped" },
      value: -0.5,
    },
  ]);
  assert.equal(parsed.help.get("demo_state"), "Help with \\ and\nnewline.");
  assert.equal(parsed.types.get("demo_state"), "gauge");
});

Deno.test("Histogram renders cumulative buckets, +Inf, sum and count", () => {
  const registry = new MetricsRegistry();
  const swaps = registry.histogram("demo_swap_seconds", "Swap time.", [
    "model",
  ], [1, 0.5, 5]);
  for (const seconds of [0.2, 0.7, 3, 9]) {
    swaps.observe({ model: "m" }, seconds);
  }

  const parsed = parsePrometheusText(registry.render());

  const values = parsed.samples.map((s) => [s.name, s.labels.le, s.value]);
  assert.deepEqual(values, [
    ["demo_swap_seconds_bucket", "0.5", 1],
    ["demo_swap_seconds_bucket", "1", 2],
    ["demo_swap_seconds_bucket", "5", 3],
    ["demo_swap_seconds_bucket", "+Inf", 4],
    ["demo_swap_seconds_sum", undefined, 12.9],
    ["demo_swap_seconds_count", undefined, 4],
  ]);
  assert.equal(swaps.count({ model: "m" }), 4);
});

Deno.test("Counter.inc() refuses a negative amount", () => {
  const counter = new MetricsRegistry().counter("demo_total", "Demo.");

  assert.throws(() => counter.inc({}, -1), RangeError);
  assert.equal(counter.value(), 0);
});

Deno.test("A family refuses labels that differ from its declaration", () => {
  const gauge = new MetricsRegistry().gauge("demo", "Demo.", ["model"]);

  assert.throws(() => gauge.set({} as { model: string }, 1), RangeError);
  assert.throws(
    () => gauge.set({ model: "a", extra: "b" } as { model: string }, 1),
    RangeError,
  );
});

Deno.test("MetricsRegistry refuses bad names and duplicate families", () => {
  const registry = new MetricsRegistry();
  registry.counter("demo_total", "Demo.");

  assert.throws(() => registry.counter("demo_total", "Again."), RangeError);
  assert.throws(() => registry.gauge("1bad", "Bad."), RangeError);
  assert.throws(() => registry.gauge("demo_g", "Bad.", ["__x"]), RangeError);
  assert.throws(
    () => registry.histogram("demo_h", "Bad.", ["le"], [1]),
    RangeError,
  );
  assert.throws(() => registry.histogram("demo_h", "Bad.", [], []), RangeError);
});

Deno.test("Gauge.remove() drops one series from the output", () => {
  const registry = new MetricsRegistry();
  const gauge = registry.gauge("demo_inflight", "In flight.", ["model"]);
  gauge.set({ model: "a" }, 1);
  gauge.set({ model: "b" }, 2);

  gauge.remove({ model: "a" });

  const models = parsePrometheusText(registry.render()).samples
    .map((sample) => sample.labels.model);
  assert.deepEqual(models, ["b"]);
});

Deno.test("formatting writes infinities and NaN the way the format expects", () => {
  const registry = new MetricsRegistry();
  const gauge = registry.gauge("demo", "Demo.", ["k"]);
  gauge.set({ k: "a" }, Infinity);
  gauge.set({ k: "b" }, -Infinity);
  gauge.set({ k: "c" }, NaN);

  const text = registry.render();

  assert.match(text, /demo\{k="a"\} \+Inf\n/);
  assert.match(text, /demo\{k="b"\} -Inf\n/);
  assert.match(text, /demo\{k="c"\} NaN\n/);
  assert.equal(parsePrometheusText(text).samples.length, 3);
});

Deno.test("MetricsRegistry.render() sorts series by label values, whatever their length", () => {
  const registry = new MetricsRegistry();
  const requests = registry.counter("demo_total", "Requests.", [
    "model",
    "path",
  ]);
  requests.inc({ model: "bb", path: "/x" });
  requests.inc({ model: "a", path: "/long/path" });
  requests.inc({ model: "a", path: "/b" });
  requests.inc({ model: "ccc", path: "/a" });

  const lines = registry.render().split("\n").filter((line) =>
    line.startsWith("demo_total{")
  );

  assert.deepEqual(lines, [
    'demo_total{model="a",path="/b"} 1',
    'demo_total{model="a",path="/long/path"} 1',
    'demo_total{model="bb",path="/x"} 1',
    'demo_total{model="ccc",path="/a"} 1',
  ]);
});

Deno.test("MetricsRegistry keeps label lists that would join alike apart", () => {
  const registry = new MetricsRegistry();
  const pairs = registry.counter("demo_pairs_total", "Pairs.", ["a", "b"]);
  pairs.inc({ a: "1:x", b: "" });
  pairs.inc({ a: "1", b: ":x" });
  pairs.inc({ a: "1:x", b: "" });

  assert.match(registry.render(), /demo_pairs_total\{a="1",b=":x"\} 1/);
  assert.match(registry.render(), /demo_pairs_total\{a="1:x",b=""\} 2/);
});
