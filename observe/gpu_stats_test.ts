import assert from "node:assert/strict";
import { Logger, LogHub } from "../log/mod.ts";
import { GPU_QUERY_FIELDS, NvidiaSmiReader, parseGpuCsv } from "./gpu_stats.ts";
import { failed, FakeCommands, succeeded } from "./host_test_utils.ts";

const AT = Date.UTC(2026, 0, 2, 3, 4, 5);
const STAMP = "2026-01-02T03:04:05.000Z";
const FULL_LINE =
  "0, NVIDIA GeForce RTX 4090, GPU-1234, 45, 60, 87, 40, 12000, 24564, [N/A], 310.25";

function reader(commands: FakeCommands) {
  const logs = new LogHub();
  const smi = new NvidiaSmiReader({
    runCommand: commands.run,
    log: new Logger(logs.proxy, { level: "debug" }).child("performance"),
  });
  return { smi, logs };
}

Deno.test("parseGpuCsv() maps columns to fields, [N/A] as 0", () => {
  const csv =
    `${FULL_LINE}\n1, Tesla T4, GPU-5678, 30, [N/A], 0, 0, 5, 15360, 0, 27\n`;

  const gpus = parseGpuCsv(csv, GPU_QUERY_FIELDS, STAMP);

  assert.deepEqual(gpus[0], {
    timestamp: STAMP,
    id: 0,
    name: "NVIDIA GeForce RTX 4090",
    uuid: "GPU-1234",
    temp_c: 45,
    vram_temp_c: 60,
    gpu_util_pct: 87,
    mem_util_pct: 40,
    mem_used_mb: 12000,
    mem_total_mb: 24564,
    fan_speed_pct: 0,
    power_draw_w: 310.25,
  });
  assert.equal(gpus[1]?.vram_temp_c, 0);
  assert.equal(gpus.length, 2);
});

Deno.test("parseGpuCsv() skips lines with too few columns", () => {
  assert.deepEqual(parseGpuCsv("0, short\n\n", GPU_QUERY_FIELDS, STAMP), []);
});

Deno.test("NvidiaSmiReader.read() asks nvidia-smi for CSV without header or units", async () => {
  const commands = new FakeCommands();
  commands.respond = () => succeeded(`${FULL_LINE}\n`);
  const { smi } = reader(commands);

  const gpus = await smi.read(AT);

  assert.equal(gpus[0]?.name, "NVIDIA GeForce RTX 4090");
  assert.equal(commands.calls[0]?.program, "nvidia-smi");
  assert.deepEqual(commands.calls[0]?.args, [
    `--query-gpu=${GPU_QUERY_FIELDS.join(",")}`,
    "--format=csv,noheader,nounits",
  ]);
});

Deno.test("NvidiaSmiReader.read() gives [] and stops looking once nvidia-smi is missing", async () => {
  const commands = new FakeCommands();
  const { smi, logs } = reader(commands);

  assert.deepEqual(await smi.read(AT), []);
  assert.deepEqual(await smi.read(AT + 5000), []);

  assert.equal(commands.calls.length, 1);
  assert.equal(smi.missing, true);
  assert.doesNotMatch(logs.proxy.text(), /WARN/);
});

Deno.test("NvidiaSmiReader.read() keeps the query without temperature.memory once it works", async () => {
  const commands = new FakeCommands();
  commands.respond = ({ args }) =>
    args[0]!.includes("temperature.memory")
      ? failed()
      : succeeded("0, Tesla T4, GPU-5678, 30, 0, 0, 5, 15360, 0, 27\n");
  const { smi } = reader(commands);

  const first = await smi.read(AT);
  const second = await smi.read(AT + 5000);

  assert.equal(first[0]?.mem_total_mb, 15360);
  assert.equal(first[0]?.vram_temp_c, 0);
  assert.equal(second[0]?.power_draw_w, 27);
  assert.equal(commands.calls.length, 3);
});

Deno.test("NvidiaSmiReader.read() gives [] on failures and warns once a series", async () => {
  const commands = new FakeCommands();
  commands.respond = () => failed();
  const { smi, logs } = reader(commands);

  assert.deepEqual(await smi.read(AT), []);
  assert.deepEqual(await smi.read(AT + 5000), []);
  commands.respond = () => succeeded(`${FULL_LINE}\n`);
  await smi.read(AT + 10_000);
  commands.respond = () => Promise.reject(new Error("broken pipe"));
  await smi.read(AT + 15_000);

  const warnings = logs.proxy.text().match(/WARN.*nvidia-smi.*/g) ?? [];
  assert.equal(warnings.length, 2);
  assert.match(warnings[0]!, /exited with an error/);
  assert.match(warnings[1]!, /broken pipe/);
});

Deno.test("NvidiaSmiReader.read() warns on a timeout but not on a cancel", async () => {
  const commands = new FakeCommands();
  commands.respond = ({ signal }) =>
    new Promise((_, reject) =>
      signal!.addEventListener("abort", () => reject(signal!.reason))
    );
  const { smi, logs } = reader(commands);

  const cancel = new AbortController();
  const cancelled = smi.read(AT, cancel.signal);
  cancel.abort();
  const timeout = new AbortController();
  const timedOut = smi.read(AT, timeout.signal);
  timeout.abort(new DOMException("nvidia-smi took too long", "TimeoutError"));

  assert.deepEqual(await cancelled, []);
  assert.deepEqual(await timedOut, []);
  const text = logs.proxy.text();
  assert.match(text, /DEBUG\] performance: nvidia-smi run cancelled/);
  assert.match(text, /WARN\] performance: cannot read GPU .*took too long/);
});
