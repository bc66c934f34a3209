import assert from "node:assert/strict";
import { testConfig, testModel, testPeer } from "../tests/proxy_fakes.ts";
import {
  EventReader,
  observedProxy,
  StatefulProcess,
  WatchedRouter,
} from "./test_utils.ts";

const CONFIG = testConfig([
  testModel("b-model", {
    aliases: ["bee"],
    capabilities: {
      in: ["text", "image"],
      out: ["text"],
      tools: true,
      reranker: false,
      context: 128000,
    },
  }),
  testModel("a-model", { name: "A", description: "first", unlisted: true }),
], {
  peers: [testPeer("zeta", ["x"]), testPeer("alpha", ["y"])],
  sessionIdHeaders: ["X-Session-ID", "X-Trace-ID"],
});

Deno.test("GET /api/events sends SSE headers and the connect burst in order", async () => {
  using proxy = observedProxy(CONFIG, { states: { "a-model": "stopped" } });
  proxy.logs.proxy.write("proxy says hi\n");
  proxy.logs.model("a-model").write("model says hi\n");

  const res = await proxy.app.request("/api/events");
  const events = new EventReader(res.body);
  const burst = [];
  for (let i = 0; i < 7; i++) burst.push(await events.next());
  await events.cancel();

  assert.equal(res.status, 200);
  assert.equal(res.headers.get("content-type"), "text/event-stream");
  assert.equal(res.headers.get("cache-control"), "no-cache");
  assert.equal(res.headers.get("connection"), "keep-alive");
  assert.equal(res.headers.get("x-content-type-options"), "nosniff");
  assert.equal(res.headers.get("x-accel-buffering"), "no");
  assert.deepEqual(burst.map((message) => message?.type), [
    "logData",
    "logData",
    "modelStatus",
    "uiConfig",
    "profileChanged",
    "inflight",
    "queue",
  ]);
  assert.deepEqual(burst[0]?.data, {
    source: "proxy",
    data: "proxy says hi\n",
  });
  assert.deepEqual(burst[1]?.data, {
    source: "upstream",
    data: "model says hi\n",
  });
  assert.deepEqual(burst[3]?.data, {
    activity: { session_id: ["X-Session-ID", "X-Trace-ID"] },
  });
  assert.deepEqual(burst[4]?.data, { active: null });
  assert.deepEqual(burst[5]?.data, { operation: "snapshot" });
  assert.deepEqual(burst[6]?.data, { depth: 0, entries: [] });
});

Deno.test("GET /api/events lists local models by ID, then peer models by FQN", async () => {
  using proxy = observedProxy(CONFIG, { states: { "a-model": "stopped" } });

  const res = await proxy.app.request("/api/events");
  const events = new EventReader(res.body);
  const status = await events.nextOf("modelStatus");
  await events.cancel();

  assert.deepEqual(status.data, [
    {
      id: "a-model",
      name: "A",
      description: "first",
      state: "stopped",
      unlisted: true,
      peerID: "",
    },
    {
      id: "b-model",
      name: "",
      description: "",
      state: "ready",
      unlisted: false,
      peerID: "",
      aliases: ["bee"],
      capabilities: { vision: true, function_calling: true },
      context_length: 128000,
    },
    {
      id: "alpha/y",
      name: "",
      description: "",
      state: "stopped",
      unlisted: false,
      peerID: "alpha",
    },
    {
      id: "zeta/x",
      name: "",
      description: "",
      state: "stopped",
      unlisted: false,
      peerID: "zeta",
    },
  ]);
});

Deno.test("GET /api/events frames each message as event:message with double-encoded data", async () => {
  using proxy = observedProxy(testConfig([]));

  const res = await proxy.app.request("/api/events");
  const reader = res.body!.getReader();
  const first = new TextDecoder().decode((await reader.read()).value);
  await reader.cancel();

  assert.equal(
    first,
    'event:message\ndata:{"type":"logData","data":"{\\"source\\":\\"proxy\\",\\"data\\":\\"\\"}"}\n\n',
  );
});

Deno.test("GET /api/events publishes modelStatus on every process state change", async () => {
  using proxy = observedProxy(testConfig([testModel("m1")]), {
    states: { m1: "stopped" },
  });
  const res = await proxy.app.request("/api/events");
  const events = new EventReader(res.body);
  await events.nextOf("queue"); // the end of the burst

  proxy.processes.get("m1")!.moveTo("starting");
  proxy.processes.get("m1")!.moveTo("ready");

  const starting = await events.nextOf("modelStatus");
  const ready = await events.nextOf("modelStatus");
  await events.cancel();
  assert.equal(starting.data[0]?.state, "starting");
  assert.equal(ready.data[0]?.state, "ready");
});

Deno.test("GET /api/events forwards live proxy and upstream log writes", async () => {
  using proxy = observedProxy(testConfig([testModel("m1")]));
  const res = await proxy.app.request("/api/events");
  const events = new EventReader(res.body);
  await events.nextOf("queue");

  proxy.logger.info("something happened");
  proxy.logs.model("m1").write("model output\n");

  const fromProxy = await events.nextOf("logData");
  const fromUpstream = await events.nextOf("logData");
  await events.cancel();
  assert.deepEqual(fromProxy.data, {
    source: "proxy",
    data: "[INFO] something happened\n",
  });
  assert.deepEqual(fromUpstream.data, {
    source: "upstream",
    data: "model output\n",
  });
});

Deno.test("GET /api/events sends the router's queue when it changes", async () => {
  using proxy = observedProxy(testConfig([testModel("m1"), testModel("m2")]));
  const res = await proxy.app.request("/api/events");
  const events = new EventReader(res.body);
  await events.nextOf("queue");

  proxy.router.queue = [
    { id: 7, model: "m2", position: 1, priority: 0, waitedMs: 1500 },
    { id: 9, model: "m1", position: 2, priority: 0, waitedMs: 20 },
  ];
  proxy.router.notify({ kind: "queueChanged", depth: 2 });

  const queue = await events.nextOf("queue");
  await events.cancel();
  assert.deepEqual(queue.data, {
    depth: 2,
    entries: [
      { model: "m2", position: 1, waited_ms: 1500 },
      { model: "m1", position: 2, waited_ms: 20 },
    ],
  });
});

Deno.test("Observability.closeStreams() ends open /api/events streams", async () => {
  using proxy = observedProxy(testConfig([]));
  const res = await proxy.app.request("/api/events");
  const events = new EventReader(res.body);
  await events.nextOf("queue");

  proxy.observability.closeStreams();

  assert.equal(await events.next(), null);
  assert.equal(proxy.observability.bus.subscriberCount, 0);
});

Deno.test("a client leaving /api/events ends its subscription", async () => {
  using proxy = observedProxy(testConfig([]));
  const res = await proxy.app.request("/api/events");
  const events = new EventReader(res.body);
  await events.next();

  await events.cancel();

  assert.equal(proxy.observability.bus.subscriberCount, 0);
});

Deno.test("Observability.attach() follows the new runtime and lets go of the old one", async () => {
  const first = testConfig([testModel("old")]);
  using proxy = observedProxy(first);
  const oldProcess = proxy.processes.get("old")!;
  const second = testConfig([testModel("new")]);
  const newProcess = new StatefulProcess("new", "stopped");
  const newRouter = new WatchedRouter();
  const res = await proxy.app.request("/api/events");
  const events = new EventReader(res.body);
  await events.nextOf("queue");

  proxy.observability.attach({
    config: second,
    processes: new Map([["new", newProcess]]),
    router: newRouter,
  });

  const status = await events.nextOf("modelStatus");
  await events.cancel();
  assert.deepEqual(status.data.map((model) => model.id), ["new"]);
  assert.equal(oldProcess.listenerCount, 0);
  assert.equal(proxy.router.noticeListeners, 0);
  assert.equal(newProcess.listenerCount, 1);
  assert.equal(newRouter.noticeListeners, 1);
});

Deno.test("GET /api/events announces a profile switch, then the model list", async () => {
  const config = testConfig([testModel("m1")], {
    profiles: {
      coding: { name: "coding", description: "", pins: { code: "m1" } },
    },
  });
  using proxy = observedProxy(config);
  const res = await proxy.app.request("/api/events");
  const events = new EventReader(res.body);
  await events.nextOf("queue");

  await proxy.app.request("/api/profiles/active", {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ name: "coding" }),
  });
  const changed = await events.next();
  const status = await events.next();
  await events.cancel();

  assert.equal(changed?.type, "profileChanged");
  assert.deepEqual(changed?.data, { active: "coding" });
  assert.equal(status?.type, "modelStatus");
});
