import assert from "node:assert/strict";
import type { Config } from "../config/types.ts";
import { Logger, LogHub } from "../log/mod.ts";
import { createProxyApp } from "../proxy/mod.ts";
import { FakeClock } from "../tests/fake_clock.ts";
import { testConfig, testModel } from "../tests/proxy_fakes.ts";
import type { DetectHardware } from "./hardware_detection.ts";
import {
  FakeCommands,
  FakeFiles,
  linuxProc,
  procStat,
  SNAPSHOT,
  succeeded,
} from "./host_test_utils.ts";
import { Observability } from "./observability.ts";
import { WatchedRouter } from "./test_utils.ts";

const START = Date.UTC(2026, 0, 2, 3, 4, 5);

/** The proxy app with observability over a fake host and a fake clock. */
function hostProxy(
  config: Config,
  options: { detectHardware?: DetectHardware } = {},
) {
  const clock = new FakeClock(START);
  const logs = new LogHub();
  const logger = new Logger(logs.proxy, { level: "info", clock });
  const router = new WatchedRouter();
  const commands = new FakeCommands();
  commands.respond = () =>
    succeeded("0, NVIDIA L4, GPU-1, 40, 0, 10, 5, 100, 23034, 30, 50\n");
  const observability = new Observability({
    logs,
    logger,
    config,
    dataDir: null,
    clock,
    performance: {
      readTextFile: new FakeFiles(linuxProc(procStat([[1, 3]]))).readTextFile,
      runCommand: commands.run,
    },
    ...options,
  });
  observability.attach({ config, processes: new Map(), router });
  const app = createProxyApp({
    current: () => ({ config, router, processes: new Map() }),
    logger,
    clock,
    observer: observability.observer,
    version: { version: "1.2.3", commit: "deadbeef", buildDate: "2026-05-19" },
    extraRoutes: (app) => observability.mount(app),
  });
  return {
    app,
    observability,
    router,
    clock,
    [Symbol.dispose]: () => observability.close(),
  };
}

type HostProxy = ReturnType<typeof hostProxy>;

/** Moves the clock 5 s at a time, waiting for each of `count` samples. */
async function sample(proxy: HostProxy, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    proxy.clock.tick(5_000);
    await proxy.observability.performance.idle();
  }
}

Deno.test("GET /api/performance answers 503 {enabled:false} when monitoring is disabled", async () => {
  using proxy = hostProxy(
    testConfig([], { performance: { disabled: true, every: 5 } }),
  );

  const res = await proxy.app.request("/api/performance");

  assert.equal(res.status, 503);
  assert.deepEqual(await res.json(), { enabled: false });
});

Deno.test("GET /api/performance lists system and GPU samples in llama-swap's fields", async () => {
  using proxy = hostProxy(testConfig([]));
  const empty = await proxy.app.request("/api/performance");
  await sample(proxy, 2);

  const res = await proxy.app.request("/api/performance");

  assert.deepEqual(await empty.json(), {
    enabled: true,
    sys_stats: [],
    gpu_stats: [],
  });
  assert.equal(res.status, 200);
  const body = await res.json();
  assert.equal(body.enabled, true);
  assert.equal(body.sys_stats.length, 2);
  assert.deepEqual(Object.keys(body.sys_stats[0]).sort(), [
    "cpu_util_per_core",
    "load_avg_1",
    "load_avg_15",
    "load_avg_5",
    "mem_free_mb",
    "mem_total_mb",
    "mem_used_mb",
    "net_io",
    "swap_total_mb",
    "swap_used_mb",
    "timestamp",
  ]);
  assert.deepEqual(body.gpu_stats[1], {
    timestamp: "2026-01-02T03:04:15.000Z",
    id: 0,
    name: "NVIDIA L4",
    uuid: "GPU-1",
    temp_c: 40,
    vram_temp_c: 0,
    gpu_util_pct: 10,
    mem_util_pct: 5,
    mem_used_mb: 100,
    mem_total_mb: 23034,
    fan_speed_pct: 30,
    power_draw_w: 50,
  });
});

Deno.test("GET /api/performance?after= keeps samples strictly newer than the time", async () => {
  using proxy = hostProxy(testConfig([]));
  await sample(proxy, 3);

  const second = "2026-01-02T03:04:15.000Z";
  const res = await proxy.app.request(`/api/performance?after=${second}`);
  const offset = await proxy.app.request(
    "/api/performance?after=2026-01-02T05:04:14%2B02:00",
  );

  const body = await res.json();
  assert.deepEqual(
    body.sys_stats.map((s: { timestamp: string }) => s.timestamp),
    ["2026-01-02T03:04:20.000Z"],
  );
  assert.equal(body.gpu_stats.length, 1);
  assert.equal((await offset.json()).sys_stats.length, 2);
});

Deno.test("GET /api/performance refuses an 'after' that is not RFC 3339 with 400", async () => {
  using proxy = hostProxy(testConfig([]));

  const res = await proxy.app.request("/api/performance?after=yesterday");

  assert.equal(res.status, 400);
  assert.deepEqual(await res.json(), {
    src: "llama-swap",
    error: {
      message: "invalid 'after' timestamp, use RFC3339 format",
      type: "invalid_request_error",
      param: null,
      code: "bad_request",
    },
  });
});

Deno.test("GET /api/performance follows a reload's performance settings", async () => {
  const config = testConfig([]);
  using proxy = hostProxy(config);
  const reloaded = (performance: Config["performance"]) =>
    proxy.observability.attach({
      config: { ...config, performance },
      processes: new Map(),
      router: proxy.router,
    });

  reloaded({ disabled: true, every: 5 });
  const paused = await proxy.app.request("/api/performance");
  reloaded({ disabled: false, every: 1_800 });

  assert.equal(paused.status, 503);
  assert.equal(proxy.observability.performance.enabled, true);
  assert.equal(proxy.observability.performance.capacity, 2);
  await paused.body?.cancel();
});

Deno.test("GET /api/hardware answers 503 until detection finishes, then the snapshot", async () => {
  const finish = Promise.withResolvers<typeof SNAPSHOT>();
  using proxy = hostProxy(testConfig([]), {
    detectHardware: () => finish.promise,
  });

  const before = await proxy.app.request("/api/hardware");
  finish.resolve(SNAPSHOT);
  await proxy.observability.hardware?.settled;
  const after = await proxy.app.request("/api/hardware");

  assert.equal(before.status, 503);
  const error = (await before.json()).error;
  assert.equal(error.message, "hardware detection unavailable");
  assert.equal(error.code, "service_unavailable");
  assert.equal(after.status, 200);
  const body = await after.json();
  assert.equal(body.schema_version, 1);
  assert.equal(body.memory.capacity_bytes, 1024);
  assert.ok(Array.isArray(body.accelerators));
});

Deno.test("GET /api/hardware answers 503 without a detector and after a failed one", async () => {
  using plain = hostProxy(testConfig([]));
  using failing = hostProxy(testConfig([]), {
    detectHardware: () => Promise.reject(new Error("no /proc")),
  });
  await failing.observability.hardware?.settled;

  const none = await plain.app.request("/api/hardware");
  const failed = await failing.app.request("/api/hardware");

  assert.equal(none.status, 503);
  assert.equal(failed.status, 503);
  await none.body?.cancel();
  await failed.body?.cancel();
});

Deno.test("/api/performance and /api/hardware answer other methods with 405", async () => {
  using proxy = hostProxy(testConfig([]));

  for (const path of ["/api/performance", "/api/hardware"]) {
    const res = await proxy.app.request(path, { method: "POST" });

    assert.equal(res.status, 405, path);
    assert.equal(res.headers.get("allow"), "GET, HEAD");
    await res.body?.cancel();
  }
});

Deno.test("/api/performance and /api/hardware need a full API key when keys are set", async () => {
  using proxy = hostProxy(testConfig([testModel("m1")], {
    apiKeys: [
      { key: "secret", models: null },
      { key: "scoped", models: ["m1"] },
    ],
  }));

  for (const path of ["/api/performance", "/api/hardware"]) {
    const none = await proxy.app.request(path);
    const scoped = await proxy.app.request(path, {
      headers: { authorization: "Bearer scoped" },
    });
    const full = await proxy.app.request(path, {
      headers: { "x-api-key": "secret" },
    });

    assert.equal(none.status, 401, path);
    assert.equal(scoped.status, 403, path);
    assert.ok(full.status === 200 || full.status === 503, path);
    for (const res of [none, scoped, full]) await res.body?.cancel();
  }
});
