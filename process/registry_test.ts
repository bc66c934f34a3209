import { deepStrictEqual, match, strictEqual } from "node:assert/strict";
import { LogBuffer, Logger } from "../log/mod.ts";
import { type ProcessRecord, ProcessRegistry } from "./registry.ts";

function record(pid: number, overrides: Partial<ProcessRecord> = {}) {
  return {
    ownerPid: Deno.pid,
    pgid: pid,
    pid,
    model: `model-${pid}`,
    argv0: "llama-server",
    startedAt: 1_700_000_000_000,
    ...overrides,
  };
}

async function withRegistry(
  test: (registry: ProcessRegistry, lines: LogBuffer, dir: string) => unknown,
) {
  const dir = await Deno.makeTempDir();
  const lines = new LogBuffer();
  try {
    const registry = new ProcessRegistry(`${dir}/data`, {
      logger: new Logger(lines),
    });
    await test(registry, lines, dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("ProcessRegistry.add() creates the data directory and records the group", async () => {
  await withRegistry(async (registry, _lines, dir) => {
    await registry.add(record(4000));

    deepStrictEqual(await registry.list(), [record(4000)]);
    const onDisk = JSON.parse(await Deno.readTextFile(registry.path));
    deepStrictEqual(onDisk, [record(4000)]);
    strictEqual(registry.path, `${dir}/data/processes.json`);
  });
});

Deno.test("ProcessRegistry.list() reads a missing file as empty", async () => {
  await withRegistry(async (registry) => {
    deepStrictEqual(await registry.list(), []);
  });
});

Deno.test("ProcessRegistry.remove() forgets only this proxy's record of that pid", async () => {
  await withRegistry(async (registry) => {
    const foreign = record(4001, { ownerPid: 99_999_999 });
    await registry.add(record(4000));
    await registry.add(foreign);

    await registry.remove(4000);
    await registry.remove(4001);

    deepStrictEqual(await registry.list(), [foreign]);
  });
});

Deno.test("ProcessRegistry applies concurrent changes in call order", async () => {
  await withRegistry(async (registry) => {
    const changes = [4000, 4001, 4002, 4003].map((pid) =>
      registry.add(record(pid))
    );
    changes.push(registry.remove(4001));

    await Promise.all(changes);

    const pids = (await registry.list()).map((r) => r.pid);
    deepStrictEqual(pids, [4000, 4002, 4003]);
  });
});

Deno.test("ProcessRegistry leaves no temporary file behind", async () => {
  await withRegistry(async (registry, _lines, dir) => {
    await registry.add(record(4000));
    await registry.remove(4000);

    const names = [...Deno.readDirSync(`${dir}/data`)].map((e) => e.name);
    deepStrictEqual(names, ["processes.json"]);
  });
});

Deno.test("ProcessRegistry starts fresh with a warning when the file is corrupt", async () => {
  await withRegistry(async (registry, lines, dir) => {
    await Deno.mkdir(`${dir}/data`);
    await Deno.writeTextFile(registry.path, "{ not json");

    deepStrictEqual(await registry.list(), []);
    await registry.add(record(4000));

    match(lines.text(), /WARN\] process: process registry unreadable/);
    deepStrictEqual(await registry.list(), [record(4000)]);
  });
});

Deno.test("ProcessRegistry ignores malformed entries and IDs unsafe to signal", async () => {
  await withRegistry(async (registry, lines, dir) => {
    await Deno.mkdir(`${dir}/data`);
    const entries = [
      record(4000),
      record(0),
      record(1),
      { ...record(4001), pgid: "4001" },
      "junk",
    ];
    await Deno.writeTextFile(registry.path, JSON.stringify(entries));

    deepStrictEqual(await registry.list(), [record(4000)]);
    match(lines.text(), /process registry entries ignored .* count=4/);
  });
});
