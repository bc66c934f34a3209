import assert from "node:assert/strict";
import {
  parsePrometheusText,
  type PrometheusSample,
} from "./prometheus_parse.ts";
import {
  MAX_LABEL_VALUES,
  metricsMarkdownTable,
  ProxyMetrics,
} from "./proxy_metrics.ts";

const NO_CHILDREN = { childPids: new Map<string, number>() };

/** A /proc with this process (pid "self") and one child, 4242. */
function fakeProc(path: string): Promise<string> {
  const files: Record<string, string> = {
    "/proc/self/stat": "1 (deno) S 1 1 1 0 -1 0 0 0 0 0 150 50 0 0",
    "/proc/self/status": "VmRSS:\t100 kB\n",
    "/proc/4242/stat": "4242 (llama-server) S 1 1 1 0 -1 0 0 0 0 0 900 100",
    "/proc/4242/status": "VmRSS:\t2048 kB\n",
  };
  const text = files[path];
  return text === undefined
    ? Promise.reject(new Deno.errors.NotFound(path))
    : Promise.resolve(text);
}

function newMetrics(): ProxyMetrics {
  return new ProxyMetrics({
    readTextFile: fakeProc,
    memoryUsage: () => ({ rss: 5_000_000 }),
  });
}

function find(
  samples: PrometheusSample[],
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  return samples.find((sample) =>
    sample.name === name &&
    Object.entries(labels).every(([key, value]) => sample.labels[key] === value)
  )?.value;
}

async function scrape(metrics: ProxyMetrics, childPids = new Map()) {
  return parsePrometheusText(await metrics.render({ childPids })).samples;
}

Deno.test("ProxyMetrics.requestFinished() counts by status class and errors", async () => {
  const metrics = newMetrics();

  metrics.requestFinished("m1", "/v1/chat/completions?x=1", 200, 1500);
  metrics.requestFinished("m1", "/v1/chat/completions", 502, 20);
  metrics.requestFinished("m1", "/v1/chat/completions", 0, 5);

  const samples = await scrape(metrics);
  const route = { model: "m1", path: "/v1/chat/completions" };
  const requests = "llamaswap_requests_total";
  assert.equal(find(samples, requests, { ...route, status_class: "2xx" }), 1);
  assert.equal(find(samples, requests, { ...route, status_class: "5xx" }), 1);
  assert.equal(find(samples, requests, { ...route, status_class: "none" }), 1);
  assert.equal(find(samples, "llamaswap_request_errors_total", route), 2);
  assert.equal(
    find(samples, "llamaswap_request_duration_seconds_sum", { model: "m1" }),
    1.525,
  );
});

Deno.test("ProxyMetrics.swapFinished() times successes and counts failures", async () => {
  const metrics = newMetrics();

  metrics.swapFinished("m1", 4_000, true);
  metrics.swapFinished("m1", 120_000, false);

  const samples = await scrape(metrics);
  assert.equal(find(samples, "llamaswap_swaps_total", { model: "m1" }), 2);
  assert.equal(
    find(samples, "llamaswap_load_failures_total", { model: "m1" }),
    1,
  );
  assert.equal(
    find(samples, "llamaswap_swap_duration_seconds_bucket", {
      model: "m1",
      le: "5",
    }),
    1,
  );
  assert.equal(
    find(samples, "llamaswap_swap_duration_seconds_count", { model: "m1" }),
    1,
  );
});

Deno.test("ProxyMetrics.modelState() sets one state to 1 and the others to 0", async () => {
  const metrics = newMetrics();

  metrics.modelState("m1", "starting");
  metrics.modelState("m1", "ready");

  const states = (await scrape(metrics))
    .filter((sample) => sample.name === "llamaswap_model_state")
    .map((sample) => `${sample.labels.state}=${sample.value}`);
  assert.deepEqual(states.sort(), [
    "ready=1",
    "shutdown=0",
    "starting=0",
    "stopped=0",
    "stopping=0",
  ]);
});

Deno.test("ProxyMetrics gauges and token counters follow their updates", async () => {
  const metrics = newMetrics();

  metrics.setInFlight("m1", 3);
  metrics.setQueueDepth(2);
  metrics.tokens("m1", 10, null);
  metrics.tokens("m1", 5, 7);

  const samples = await scrape(metrics);
  assert.equal(
    find(samples, "llamaswap_inflight_requests", { model: "m1" }),
    3,
  );
  assert.equal(find(samples, "llamaswap_queue_depth"), 2);
  assert.equal(
    find(samples, "llamaswap_input_tokens_total", { model: "m1" }),
    15,
  );
  assert.equal(
    find(samples, "llamaswap_output_tokens_total", { model: "m1" }),
    7,
  );
});

Deno.test("ProxyMetrics.forgetModel() removes the model's gauges", async () => {
  const metrics = newMetrics();
  metrics.setInFlight("gone", 1);
  metrics.modelState("gone", "ready");

  metrics.forgetModel("gone");

  const samples = await scrape(metrics);
  assert.equal(
    find(samples, "llamaswap_inflight_requests", { model: "gone" }),
    undefined,
  );
  assert.equal(
    find(samples, "llamaswap_model_state", { model: "gone" }),
    undefined,
  );
});

Deno.test("ProxyMetrics.render() reports the proxy's and each child's resources", async () => {
  const metrics = newMetrics();

  const samples = await scrape(
    metrics,
    new Map([["m1", 4242], ["exited", 7]]),
  );

  assert.equal(
    find(samples, "llamaswap_process_resident_memory_bytes"),
    5_000_000,
  );
  assert.equal(find(samples, "llamaswap_process_cpu_seconds_total"), 2);
  assert.equal(
    find(samples, "llamaswap_model_resident_memory_bytes", { model: "m1" }),
    2048 * 1024,
  );
  assert.equal(
    find(samples, "llamaswap_model_cpu_seconds_total", { model: "m1" }),
    10,
  );
  assert.equal(
    find(samples, "llamaswap_model_cpu_seconds_total", { model: "exited" }),
    undefined,
  );
});

Deno.test("ProxyMetrics folds label values past its limit into other", async () => {
  const metrics = newMetrics();

  for (let i = 0; i <= MAX_LABEL_VALUES; i++) metrics.tokens(`m${i}`, 1, 1);

  const samples = await scrape(metrics);
  assert.equal(
    find(samples, "llamaswap_input_tokens_total", { model: "other" }),
    1,
  );
  assert.equal(
    find(samples, "llamaswap_input_tokens_total", { model: "m0" }),
    1,
  );
});

Deno.test("ProxyMetrics.render() parses and uses llamaswap_ names throughout", async () => {
  const metrics = new ProxyMetrics();
  metrics.requestFinished('we"ird\\model\n', "/v1/x", 200, 1);

  const parsed = parsePrometheusText(await metrics.render(NO_CHILDREN));

  for (const name of parsed.types.keys()) {
    assert.match(name, /^llamaswap_[a-z_]+$/);
    if (parsed.types.get(name) === "counter") assert.match(name, /_total$/);
  }
  assert.ok(
    parsed.samples.some((s) => s.labels.model === 'we"ird\\model\n'),
  );
});

Deno.test("observe/metrics.md holds the current metrics table", async () => {
  const doc = await Deno.readTextFile(new URL("./metrics.md", import.meta.url));

  assert.ok(doc.includes(metricsMarkdownTable()));
});
