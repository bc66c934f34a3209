import assert from "node:assert/strict";
import {
  parseCpuSeconds,
  parseResidentBytes,
  readProcessStats,
} from "./process_stats.ts";

const STAT =
  "4242 (llama server) (x)) S 1 4242 4242 0 -1 4194560 500 0 0 0 250 130 0 0 20 0 9 0 100 1000 200 0 0";
const STATUS = "Name:\tllama-server\nVmPeak:\t  9000 kB\nVmRSS:\t  2048 kB\n";

Deno.test("parseCpuSeconds() adds user and system ticks past a tricky name", () => {
  assert.equal(parseCpuSeconds(STAT), 3.8);
  assert.equal(parseCpuSeconds("garbage"), null);
  assert.equal(parseCpuSeconds("1 (x) S 1 2"), null);
});

Deno.test("parseResidentBytes() reads VmRSS in bytes", () => {
  assert.equal(parseResidentBytes(STATUS), 2048 * 1024);
  assert.equal(parseResidentBytes("Name:\tkthreadd\n"), null);
});

Deno.test("readProcessStats() reads both files of one process", async () => {
  const read: string[] = [];
  const files: Record<string, string> = {
    "/proc/4242/stat": STAT,
    "/proc/4242/status": STATUS,
  };

  const stats = await readProcessStats(4242, (path) => {
    read.push(path);
    return Promise.resolve(files[path]!);
  });

  assert.deepEqual(stats, { residentBytes: 2048 * 1024, cpuSeconds: 3.8 });
  assert.deepEqual(read.sort(), ["/proc/4242/stat", "/proc/4242/status"]);
});

Deno.test("readProcessStats() reports unknown values for a process that is gone", async () => {
  const stats = await readProcessStats(
    99,
    () => Promise.reject(new Deno.errors.NotFound("gone")),
  );

  assert.deepEqual(stats, { residentBytes: null, cpuSeconds: null });
});

Deno.test("readProcessStats() passes on unexpected read failures", async () => {
  await assert.rejects(
    readProcessStats(99, () => Promise.reject(new Error("disk on fire"))),
    /disk on fire/,
  );
});

Deno.test("readProcessStats() measures this process on Linux", {
  ignore: Deno.build.os !== "linux",
}, async () => {
  const stats = await readProcessStats("self");

  assert.ok((stats.residentBytes ?? 0) > 0);
  assert.ok((stats.cpuSeconds ?? -1) >= 0);
});
