/**
 * `ProcessRegistry.reapOrphans()` against real process groups that a
 * "crashed" proxy (a dead owner pid) left behind.
 */
import { deepStrictEqual, match, ok, strictEqual } from "node:assert/strict";
import { LogBuffer, Logger } from "../log/mod.ts";
import { type ProcessRecord, ProcessRegistry } from "../process/mod.ts";
import { isGone } from "./process_fixtures.ts";

/** A pid that belonged to a process which has exited and been collected. */
async function deadPid(): Promise<number> {
  const child = new Deno.Command("true").spawn();
  await child.status;
  return child.pid;
}

/** Starts `argv` as the leader of its own group, output piped. */
function spawnGroup(argv: string[]): Deno.ChildProcess {
  return new Deno.Command(argv[0]!, {
    args: argv.slice(1),
    detached: true,
    stdin: "null",
    stdout: "piped",
    stderr: "null",
  }).spawn();
}

async function firstLines(
  child: Deno.ChildProcess,
  count: number,
): Promise<string[]> {
  const lines: string[] = [];
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (lines.length < count) {
    const { done, value } = await reader.read();
    if (done) break;
    text += value;
    lines.splice(0, lines.length, ...text.split("\n").slice(0, -1));
  }
  await reader.cancel();
  return lines.slice(0, count);
}

async function withRegistry(
  test: (
    registry: ProcessRegistry,
    logger: Logger,
    lines: LogBuffer,
  ) => unknown,
) {
  const dir = await Deno.makeTempDir();
  const lines = new LogBuffer();
  const logger = new Logger(lines, { level: "debug" });
  try {
    await test(
      new ProcessRegistry(dir, { logger, reapGraceMs: 300 }),
      logger,
      lines,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

function recordOf(
  child: Deno.ChildProcess,
  ownerPid: number,
  argv0: string,
): ProcessRecord {
  return {
    ownerPid,
    pgid: child.pid,
    pid: child.pid,
    model: "left-behind",
    argv0,
    startedAt: Date.now(),
  };
}

Deno.test("ProcessRegistry.reapOrphans() stops a group whose owner is gone", async () => {
  await withRegistry(async (registry, logger, lines) => {
    const child = spawnGroup(["sleep", "30"]);
    await child.stdout.cancel();
    await registry.add(recordOf(child, await deadPid(), "sleep"));

    const reaped = await registry.reapOrphans(logger);
    const status = await child.status;

    deepStrictEqual(reaped, [{
      model: "left-behind",
      pgid: child.pid,
      pids: [child.pid],
      forced: false,
    }]);
    strictEqual(status.signal, "SIGTERM");
    deepStrictEqual(await registry.list(), []);
    match(lines.text(), /reaped orphaned process group model=left-behind/);
  });
});

Deno.test("ProcessRegistry.reapOrphans() finds the members of a group whose leader is gone", async () => {
  await withRegistry(async (registry, logger) => {
    const leader = spawnGroup([
      "sh",
      "-c",
      "sleep 30 & echo $!; sleep 30 & echo $!; wait",
    ]);
    const members = (await firstLines(leader, 2)).map(Number);
    Deno.kill(leader.pid, "SIGKILL");
    await leader.status;
    await registry.add(recordOf(leader, await deadPid(), "sh"));

    const reaped = await registry.reapOrphans(logger);

    deepStrictEqual(reaped[0]?.pids, members.toSorted((a, b) => a - b));
    ok(members.every(isGone));
  });
});

Deno.test("ProcessRegistry.reapOrphans() kills a group that ignores SIGTERM", async () => {
  await withRegistry(async (registry, logger) => {
    const child = spawnGroup([
      "sh",
      "-c",
      "trap '' TERM; echo up; exec sleep 30",
    ]);
    await firstLines(child, 1);
    await registry.add(recordOf(child, await deadPid(), "sh"));

    const reaped = await registry.reapOrphans(logger);
    const status = await child.status;

    strictEqual(reaped[0]?.forced, true);
    strictEqual(status.signal, "SIGKILL");
  });
});

Deno.test("ProcessRegistry.reapOrphans() keeps the groups of a live owner", async () => {
  await withRegistry(async (registry, logger) => {
    const owner = spawnGroup(["sleep", "30"]);
    const child = spawnGroup(["sleep", "30"]);
    await Promise.all([owner.stdout.cancel(), child.stdout.cancel()]);
    try {
      await registry.add(recordOf(child, owner.pid, "sleep"));

      const reaped = await registry.reapOrphans(logger);

      deepStrictEqual(reaped, []);
      ok(!isGone(child.pid));
      strictEqual((await registry.list()).length, 1);
    } finally {
      Deno.kill(-owner.pid, "SIGKILL");
      Deno.kill(-child.pid, "SIGKILL");
      await Promise.all([owner.status, child.status]);
    }
  });
});

Deno.test("ProcessRegistry.reapOrphans() spares a group now running another program", async () => {
  await withRegistry(async (registry, logger) => {
    const child = spawnGroup(["sleep", "30"]);
    await child.stdout.cancel();
    try {
      await registry.add({
        ...recordOf(child, await deadPid(), "llama-server"),
        startedAt: Date.now() - 3_600_000,
      });

      const reaped = await registry.reapOrphans(logger);

      deepStrictEqual(reaped, []);
      ok(!isGone(child.pid));
      deepStrictEqual(await registry.list(), []);
    } finally {
      Deno.kill(-child.pid, "SIGKILL");
      await child.status;
    }
  });
});

Deno.test("ProcessRegistry.reapOrphans() drops the record of a group already gone", async () => {
  await withRegistry(async (registry, logger) => {
    const child = spawnGroup(["true"]);
    await child.stdout.cancel();
    await child.status;
    await registry.add(recordOf(child, await deadPid(), "true"));

    const reaped = await registry.reapOrphans(logger);

    deepStrictEqual(reaped, []);
    deepStrictEqual(await registry.list(), []);
  });
});
