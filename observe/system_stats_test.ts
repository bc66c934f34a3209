import assert from "node:assert/strict";
import {
  FakeFiles,
  linuxProc,
  LOADAVG,
  MEMINFO,
  NET_DEV,
  procStat,
} from "./host_test_utils.ts";
import {
  cpuUtilisation,
  memoryFigures,
  parseCpuTimes,
  parseLoadAverage,
  parseMeminfo,
  parseNetDev,
  SystemStatsReader,
} from "./system_stats.ts";

const AT = Date.UTC(2026, 0, 2, 3, 4, 5, 250);

Deno.test("parseCpuTimes() reads each core, leaving out the aggregate line", () => {
  const stat = [
    "cpu  20 0 10 100 5 0 0 0 0 0",
    "cpu0 10 1 5 50 2 1 1 1 7 0",
    "cpu1 10 0 5 50 3 0 0 0 0 0",
    "ctxt 123",
  ].join("\n");

  const cores = parseCpuTimes(stat);

  assert.deepEqual([...cores.keys()], [0, 1]);
  // user 10 + nice 1 + system 5 + irq 1 + softirq 1 + steal 1; guest not added
  assert.deepEqual(cores.get(0), { busy: 19, total: 71 });
  assert.deepEqual(cores.get(1), { busy: 15, total: 68 });
});

Deno.test("cpuUtilisation() reports busy percent between two readings in core order", () => {
  const before = new Map([[0, { busy: 100, total: 400 }], [
    1,
    { busy: 0, total: 100 },
  ]]);
  const after = new Map([[1, { busy: 0, total: 200 }], [
    0,
    { busy: 175, total: 500 },
  ]]);

  assert.deepEqual(cpuUtilisation(before, after), [75, 0]);
});

Deno.test("cpuUtilisation() measures a new core since boot and a still one as 0", () => {
  const before = new Map([[0, { busy: 50, total: 100 }]]);
  const after = new Map([[0, { busy: 50, total: 100 }], [
    1,
    { busy: 1, total: 3 },
  ]]);

  assert.deepEqual(cpuUtilisation(before, after), [0, 33.33]);
});

Deno.test("memoryFigures() gives whole MiB with used = total - available", () => {
  assert.deepEqual(memoryFigures(parseMeminfo(MEMINFO)), {
    mem_total_mb: 16000,
    mem_used_mb: 4000,
    mem_free_mb: 4000,
    swap_total_mb: 2048,
    swap_used_mb: 1024,
  });
});

Deno.test("memoryFigures() counts free, buffers and cache as available without MemAvailable", () => {
  const meminfo = parseMeminfo(
    "MemTotal: 10240 kB\nMemFree: 2048 kB\nBuffers: 1024 kB\nCached: 3072 kB\n",
  );

  assert.equal(memoryFigures(meminfo).mem_used_mb, 4);
  assert.equal(memoryFigures(new Map()).mem_total_mb, 0);
});

Deno.test("parseLoadAverage() reads three figures and zeros for junk", () => {
  assert.deepEqual(parseLoadAverage(LOADAVG), [0.52, 1.25, 2]);
  assert.deepEqual(parseLoadAverage(""), [0, 0, 0]);
});

Deno.test("parseNetDev() reads every interface, a name touching its number too", () => {
  assert.deepEqual(parseNetDev(NET_DEV), [
    { name: "lo", bytes_recv: 1000, bytes_sent: 1000 },
    { name: "eth0", bytes_recv: 2000, bytes_sent: 3000 },
  ]);
  assert.deepEqual(parseNetDev("  bad: 1 2 3\n"), []);
});

Deno.test("SystemStatsReader.read() reports CPU use since the previous read", async () => {
  const files = new FakeFiles(linuxProc(procStat([[100, 300], [0, 400]])));
  const reader = new SystemStatsReader(files.readTextFile);

  const first = await reader.read(AT);
  files.set("/proc/stat", procStat([[150, 350], [100, 400]]));
  const second = await reader.read(AT + 5000);

  assert.deepEqual(first.cpu_util_per_core, [25, 0]);
  assert.deepEqual(second.cpu_util_per_core, [50, 100]);
  assert.equal(second.timestamp, "2026-01-02T03:04:10.250Z");
  assert.equal(second.mem_total_mb, 16000);
  assert.equal(second.load_avg_15, 2);
  assert.equal(second.net_io.length, 2);
});

Deno.test("SystemStatsReader.read() gives zeros and empty lists without /proc", async () => {
  const reader = new SystemStatsReader(new FakeFiles().readTextFile);

  assert.deepEqual(await reader.read(AT), {
    timestamp: "2026-01-02T03:04:05.250Z",
    cpu_util_per_core: [],
    mem_total_mb: 0,
    mem_used_mb: 0,
    mem_free_mb: 0,
    swap_total_mb: 0,
    swap_used_mb: 0,
    load_avg_1: 0,
    load_avg_5: 0,
    load_avg_15: 0,
    net_io: [],
  });
});

Deno.test("SystemStatsReader.read() rejects on an unexpected read failure", async () => {
  const reader = new SystemStatsReader(() =>
    Promise.reject(new Deno.errors.Interrupted("disk gone"))
  );

  await assert.rejects(reader.read(AT), Deno.errors.Interrupted);
});
