import assert from "node:assert/strict";
import { jsonPost, testConfig, testModel } from "../tests/proxy_fakes.ts";
import { parsePrometheusText } from "./prometheus_parse.ts";
import { observedProxy } from "./test_utils.ts";

type Proxy = ReturnType<typeof observedProxy>;

async function scrape(proxy: Proxy) {
  const res = await proxy.app.request("/metrics");
  assert.equal(res.status, 200);
  assert.equal(
    res.headers.get("content-type"),
    "text/plain; version=0.0.4; charset=utf-8",
  );
  const exposition = parsePrometheusText(await res.text());
  return (name: string, labels: Record<string, string> = {}) =>
    exposition.samples.find((sample) =>
      sample.name === name &&
      Object.entries(labels).every(([key, value]) =>
        sample.labels[key] === value
      )
    )?.value;
}

Deno.test("GET /metrics counts requests, errors and tokens per model", async () => {
  using proxy = observedProxy(testConfig([testModel("m1")]));
  let status = 200;
  proxy.upstream.respond = () =>
    Response.json({ usage: { prompt_tokens: 5, completion_tokens: 9 } }, {
      status,
    });
  for (const next of [200, 502]) {
    status = next;
    const res = await proxy.app.request(
      "/v1/chat/completions",
      jsonPost({ model: "m1" }),
    );
    await res.text();
  }

  const sample = await scrape(proxy);

  const route = { model: "m1", path: "/v1/chat/completions" };
  assert.equal(
    sample("llamaswap_requests_total", { ...route, status_class: "2xx" }),
    1,
  );
  assert.equal(
    sample("llamaswap_requests_total", { ...route, status_class: "5xx" }),
    1,
  );
  assert.equal(sample("llamaswap_request_errors_total", route), 1);
  assert.equal(sample("llamaswap_input_tokens_total", { model: "m1" }), 5);
  assert.equal(sample("llamaswap_output_tokens_total", { model: "m1" }), 9);
  assert.equal(
    sample("llamaswap_request_duration_seconds_count", { model: "m1" }),
    2,
  );
});

Deno.test("GET /metrics counts swaps and load failures from router notices", async () => {
  using proxy = observedProxy(testConfig([testModel("m1"), testModel("m2")]));

  proxy.router.notify({ kind: "swapStarted", model: "m1", evict: [], at: 0 });
  proxy.router.notify({ kind: "swapFinished", model: "m1", ms: 1500 });
  proxy.router.notify({
    kind: "swapFinished",
    model: "m2",
    ms: 300,
    error: "exited",
  });
  const sample = await scrape(proxy);

  assert.equal(sample("llamaswap_swaps_total", { model: "m1" }), 1);
  assert.equal(sample("llamaswap_swaps_total", { model: "m2" }), 1);
  assert.equal(sample("llamaswap_load_failures_total", { model: "m2" }), 1);
  assert.equal(
    sample("llamaswap_load_failures_total", { model: "m1" }),
    undefined,
  );
  assert.equal(
    sample("llamaswap_swap_duration_seconds_sum", { model: "m1" }),
    1.5,
  );
});

Deno.test("GET /metrics shows model states, in-flight requests and queue depth", async () => {
  using proxy = observedProxy(testConfig([testModel("m1"), testModel("m2")]), {
    states: { m2: "stopped" },
  });

  proxy.processes.get("m2")!.moveTo("starting");
  proxy.router.granted = { m1: 2 };
  proxy.router.queue = [
    { id: 4, model: "m2", position: 1, priority: 0, waitedMs: 10 },
  ];
  const sample = await scrape(proxy);

  const state = (model: string, state: string) =>
    sample("llamaswap_model_state", { model, state });
  assert.equal(state("m1", "ready"), 1);
  assert.equal(state("m1", "stopped"), 0);
  assert.equal(state("m2", "starting"), 1);
  assert.equal(state("m2", "stopped"), 0);
  assert.equal(sample("llamaswap_inflight_requests", { model: "m1" }), 2);
  assert.equal(sample("llamaswap_inflight_requests", { model: "m2" }), 0);
  assert.equal(sample("llamaswap_queue_depth"), 1);
});

Deno.test("queueChanged notices move the queue gauge between scrapes", () => {
  using proxy = observedProxy(testConfig([testModel("m1")]));

  proxy.router.notify({ kind: "queueChanged", depth: 3 });

  assert.equal(
    proxy.observability.metrics.registry.render().includes(
      "llamaswap_queue_depth 3\n",
    ),
    true,
  );
});

Deno.test("GET /metrics serves the proxy's figures with performance monitoring disabled", async () => {
  using proxy = observedProxy(
    testConfig([testModel("m1")], {
      performance: { disabled: true, every: 5 },
    }),
  );
  const res = await proxy.app.request(
    "/v1/chat/completions",
    jsonPost({ model: "m1" }),
  );
  await res.text();

  const sample = await scrape(proxy);

  const route = { model: "m1", path: "/v1/chat/completions" };
  assert.equal(
    sample("llamaswap_requests_total", { ...route, status_class: "2xx" }),
    1,
  );
});
