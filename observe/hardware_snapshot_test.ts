import assert from "node:assert/strict";
import { FakeClock } from "../tests/fake_clock.ts";
import { detectHardware, type HardwareSources } from "./hardware_snapshot.ts";
import {
  FakeCommands,
  FakeFiles,
  MEMINFO,
  succeeded,
} from "./host_test_utils.ts";

const DETECTOR = { name: "llama-swap-deno", version: "1.2.3" };
const CPUINFO = [0, 1].map((n) =>
  `processor\t: ${n}\nvendor_id\t: AuthenticAMD\nmodel name\t: AMD EPYC\n` +
  `physical id\t: 0\ncore id\t\t: ${n}\n`
).join("\n");

function linuxHost(files: FakeFiles, commands: FakeCommands): HardwareSources {
  return {
    readTextFile: files.readTextFile,
    runCommand: commands.run,
    env: () => undefined,
    os: "linux",
    arch: "x86_64",
    kernel: () => "6.8.0-45-generic",
    memoryBytes: () => 1,
    logicalCpus: () => 99,
    clock: new FakeClock(Date.UTC(2026, 0, 2, 3, 4, 5)),
  };
}

Deno.test("detectHardware() describes a Linux host in llama-swap's shape", async () => {
  const files = new FakeFiles({
    "/etc/os-release": 'NAME="Debian GNU/Linux"\nVERSION_ID="12"\n',
    "/proc/cpuinfo": CPUINFO,
    "/proc/meminfo": MEMINFO,
    "/.dockerenv": "",
  });
  const commands = new FakeCommands();
  commands.respond = () => succeeded("0, NVIDIA L4, 23034, 550.54.14, 72.00\n");

  const snapshot = await detectHardware({
    ...linuxHost(files, commands),
    detector: DETECTOR,
  });

  assert.deepEqual({ ...snapshot, accelerators: [] }, {
    schema_version: 1,
    captured_at: "2026-01-02T03:04:05.000Z",
    capture: {
      scope: "inference_host",
      method: "detected",
      detector: DETECTOR,
    },
    architecture: { name: "amd64", raw_name: "x86_64" },
    operating_system: {
      family: "linux",
      name: "Debian GNU/Linux",
      version: "12",
      kernel: "6.8.0-45-generic",
    },
    environment: { kind: "container", name: "docker", version: null },
    cpu: {
      vendor: "AMD",
      model: "AMD EPYC",
      socket_count: 1,
      physical_core_count: 2,
      logical_thread_count: 2,
    },
    memory: { capacity_bytes: 16384000 * 1024 },
    accelerators: [],
  });
  assert.equal(snapshot.accelerators[0]?.model, "NVIDIA L4");
  assert.deepEqual(commands.calls[0]?.args, [
    "--query-gpu=index,name,memory.total,driver_version,power.limit",
    "--format=csv,noheader,nounits",
  ]);
});

Deno.test("detectHardware() falls back to Deno's figures and nulls off Linux", async () => {
  const sources = {
    ...linuxHost(new FakeFiles(), new FakeCommands()),
    os: "darwin",
    arch: "aarch64",
    kernel: () => null,
    memoryBytes: () => 8 * 1024 ** 3,
    logicalCpus: () => 8,
  };

  const snapshot = await detectHardware({ ...sources, detector: DETECTOR });

  assert.deepEqual(snapshot.architecture, {
    name: "arm64",
    raw_name: "aarch64",
  });
  assert.deepEqual(snapshot.operating_system, {
    family: "darwin",
    name: "macOS",
    version: null,
    kernel: null,
  });
  assert.deepEqual(snapshot.environment, {
    kind: null,
    name: null,
    version: null,
  });
  assert.deepEqual(snapshot.cpu, {
    vendor: null,
    model: null,
    socket_count: null,
    physical_core_count: null,
    logical_thread_count: 8,
  });
  assert.equal(snapshot.memory.capacity_bytes, 8 * 1024 ** 3);
  assert.deepEqual(snapshot.accelerators, []);
});

Deno.test("detectHardware() lists no accelerators when nvidia-smi fails", async () => {
  const commands = new FakeCommands();
  commands.respond = () => Promise.resolve({ success: false, stdout: "" });

  const snapshot = await detectHardware({
    ...linuxHost(new FakeFiles(), commands),
    env: (name) => name === "KUBERNETES_SERVICE_HOST" ? "10.0.0.1" : undefined,
    detector: DETECTOR,
  });

  assert.deepEqual(snapshot.accelerators, []);
  assert.equal(snapshot.environment.name, "kubernetes");
});

Deno.test("detectHardware() rejects when its signal aborts", async () => {
  const commands = new FakeCommands();
  const abort = new AbortController();
  commands.respond = ({ signal }) =>
    new Promise((_, reject) =>
      signal!.addEventListener("abort", () => reject(signal!.reason))
    );

  const detecting = detectHardware({
    ...linuxHost(new FakeFiles(), commands),
    detector: DETECTOR,
    signal: abort.signal,
  });
  abort.abort(new DOMException("too slow", "TimeoutError"));

  await assert.rejects(detecting, /too slow/);
});

Deno.test("detectHardware() describes this machine without failing", async () => {
  const snapshot = await detectHardware({ detector: DETECTOR });

  assert.equal(snapshot.schema_version, 1);
  assert.equal(snapshot.operating_system.family, Deno.build.os);
  assert.equal(snapshot.architecture.raw_name, Deno.build.arch);
  assert.ok(Array.isArray(snapshot.accelerators));
  assert.ok((snapshot.memory.capacity_bytes ?? 0) > 0);
});
