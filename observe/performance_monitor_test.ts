import assert from "node:assert/strict";
import { Logger, LogHub } from "../log/mod.ts";
import { FakeClock } from "../tests/fake_clock.ts";
import {
  type CommandCall,
  FakeCommands,
  FakeFiles,
  linuxProc,
  procStat,
  succeeded,
} from "./host_test_utils.ts";
import {
  GPU_READ_TIMEOUT_MS,
  PerformanceMonitor,
  type PerformanceSample,
  type PerformanceSettings,
} from "./performance_monitor.ts";

const START = Date.UTC(2026, 0, 2, 3, 4, 5);
const EVERY_5S: PerformanceSettings = { disabled: false, every: 5 };
const TWO_GPUS = [
  "0, GPU A, GPU-a, 40, 0, 10, 5, 100, 8000, 30, 50",
  "1, GPU B, GPU-b, 50, 0, 20, 6, 200, 8000, 40, 60",
].join("\n");

function monitored(settings: PerformanceSettings = EVERY_5S) {
  const clock = new FakeClock(START);
  const logs = new LogHub();
  const files = new FakeFiles(linuxProc(procStat([[100, 300]])));
  const commands = new FakeCommands();
  const monitor = new PerformanceMonitor({
    settings,
    log: new Logger(logs.proxy, { level: "debug" }).child("performance"),
    clock,
    readTextFile: files.readTextFile,
    runCommand: commands.run,
  });
  return {
    monitor,
    clock,
    logs,
    files,
    commands,
    [Symbol.dispose]: () => monitor.close(),
  };
}

type Monitored = ReturnType<typeof monitored>;

/** Moves the clock by `ms` and waits for the sample that it triggers. */
async function tickToSample(
  env: Monitored,
  ms: number,
): Promise<PerformanceSample> {
  const sampled = new Promise<PerformanceSample>((resolve) => {
    const stop = env.monitor.onSample((sample) => {
      stop();
      resolve(sample);
    });
  });
  env.clock.tick(ms);
  return await sampled;
}

/** A `respond` that holds each `nvidia-smi` run until its signal aborts. */
function hangUntilAborted(call: CommandCall) {
  return new Promise<never>((_, reject) =>
    call.signal!.addEventListener("abort", () => reject(call.signal!.reason))
  );
}

Deno.test("PerformanceMonitor samples one interval after the start, then every interval", async () => {
  using env = monitored();

  env.clock.tick(4_999);
  await env.monitor.idle();
  assert.deepEqual(env.monitor.samples(null).system, []);

  const first = await tickToSample(env, 1);
  env.files.set("/proc/stat", procStat([[150, 350]]));
  const second = await tickToSample(env, 5_000);

  assert.equal(first.system.timestamp, "2026-01-02T03:04:10.000Z");
  assert.deepEqual(first.system.cpu_util_per_core, [25]);
  assert.equal(second.system.timestamp, "2026-01-02T03:04:15.000Z");
  assert.deepEqual(second.system.cpu_util_per_core, [50]);
  assert.equal(env.monitor.samples(null).system.length, 2);
});

Deno.test("PerformanceMonitor keeps an hour of samples at the configured interval", async () => {
  using env = monitored({ disabled: false, every: 1_200 });
  using every5s = monitored();

  for (let i = 0; i < 4; i++) await tickToSample(env, 1_200_000);

  const kept = env.monitor.samples(null).system.map((s) => s.timestamp);
  assert.equal(every5s.monitor.capacity, 720);
  assert.equal(env.monitor.capacity, 3);
  assert.deepEqual(kept, [
    "2026-01-02T03:44:05.000Z",
    "2026-01-02T04:04:05.000Z",
    "2026-01-02T04:24:05.000Z",
  ]);
});

Deno.test("PerformanceMonitor.samples() lists every GPU of every sample newer than the time", async () => {
  using env = monitored();
  env.commands.respond = () => succeeded(TWO_GPUS);

  await tickToSample(env, 5_000);
  await tickToSample(env, 5_000);
  const afterFirst = env.monitor.samples(START + 5_000);

  const all = env.monitor.samples(null);
  assert.deepEqual(all.gpus.map((g) => [g.id, g.timestamp]), [
    [0, "2026-01-02T03:04:10.000Z"],
    [1, "2026-01-02T03:04:10.000Z"],
    [0, "2026-01-02T03:04:15.000Z"],
    [1, "2026-01-02T03:04:15.000Z"],
  ]);
  assert.equal(afterFirst.system.length, 1);
  assert.equal(afterFirst.gpus.length, 2);
});

Deno.test("PerformanceMonitor disabled at start never samples, whatever update() says", () => {
  using env = monitored({ disabled: true, every: 5 });

  env.monitor.update({ disabled: false, every: 5 });
  env.clock.tick(60_000);

  assert.equal(env.monitor.enabled, false);
  assert.equal(env.clock.pendingTimers, 0);
  assert.deepEqual(env.files.reads, []);
  assert.match(env.logs.proxy.text(), /enabling it takes a restart/);
});

Deno.test("PerformanceMonitor.update() pauses and resumes sampling", async () => {
  using env = monitored();

  env.monitor.update({ disabled: true, every: 5 });
  env.clock.tick(60_000);
  assert.equal(env.monitor.enabled, false);
  assert.deepEqual(env.files.reads, []);

  env.monitor.update({ disabled: false, every: 5 });
  const sample = await tickToSample(env, 5_000);

  assert.equal(env.monitor.enabled, true);
  assert.equal(sample.system.timestamp, "2026-01-02T03:05:10.000Z");
});

Deno.test("PerformanceMonitor.update() with a new interval reschedules and keeps the newest samples", async () => {
  using env = monitored();
  for (let i = 0; i < 3; i++) await tickToSample(env, 5_000);

  env.monitor.update({ disabled: false, every: 1_800 });
  env.clock.tick(5_000);
  await env.monitor.idle();
  const next = await tickToSample(env, 1_795_000);

  assert.equal(env.monitor.capacity, 2);
  assert.equal(next.system.timestamp, "2026-01-02T03:34:20.000Z");
  assert.deepEqual(env.monitor.samples(null).system.map((s) => s.timestamp), [
    "2026-01-02T03:04:20.000Z",
    "2026-01-02T03:34:20.000Z",
  ]);
});

Deno.test("PerformanceMonitor stores a sample without GPUs when nvidia-smi hangs", async () => {
  using env = monitored();
  env.commands.respond = hangUntilAborted;

  env.clock.tick(5_000);
  const sample = await tickToSample(env, GPU_READ_TIMEOUT_MS);

  assert.deepEqual(sample.gpus, []);
  assert.equal(env.commands.calls[0]?.signal?.aborted, true);
  assert.match(env.logs.proxy.text(), /WARN.*took longer than 4000 ms/);
});

Deno.test("PerformanceMonitor skips a sample that fails and warns once a series", async () => {
  using env = monitored();
  env.files.failWith = new Deno.errors.Interrupted("disk gone");

  for (let i = 0; i < 2; i++) {
    env.clock.tick(5_000);
    await env.monitor.idle();
  }

  assert.deepEqual(env.monitor.samples(null).system, []);
  const warnings = env.logs.proxy.text().match(/WARN.*cannot sample/g) ?? [];
  assert.equal(warnings.length, 1);
  assert.equal(env.clock.pendingTimers, 1);
});

Deno.test("PerformanceMonitor.close() kills a running nvidia-smi, stores nothing and stops", async () => {
  using env = monitored();
  env.commands.respond = hangUntilAborted;

  env.clock.tick(5_000);
  env.monitor.close();
  await env.monitor.idle();

  assert.equal(env.commands.calls[0]?.signal?.aborted, true);
  assert.deepEqual(env.monitor.samples(null).system, []);
  assert.equal(env.clock.pendingTimers, 0);
  assert.doesNotMatch(env.logs.proxy.text(), /WARN/);
});
