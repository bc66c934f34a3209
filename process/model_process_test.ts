import {
  deepStrictEqual,
  doesNotMatch,
  match,
  ok,
  rejects,
  strictEqual,
} from "node:assert/strict";
import type { ModelConfig } from "../config/types.ts";
import { deferred, delay } from "../lib/mod.ts";
import { LogBuffer, Logger } from "../log/mod.ts";
import { FakeClock } from "../tests/fake_clock.ts";
import { FakeProcessControl } from "../tests/process_fake_control.ts";
import {
  modelConfig,
  nextState,
  recordStates,
} from "../tests/process_fixtures.ts";
import { FAILED_START_GRACE_MS, ModelProcess } from "./model_process.ts";
import { ProcessRegistry } from "./registry.ts";
import { GROUP_POLL_MAX_MS, KILLED_GROUP_WAIT_MS } from "./stop_child.ts";
import { StartError, type StartFailure } from "./types.ts";

/** A fetch whose probes hang until aborted. */
const hangingFetch: typeof fetch = (_input, init) =>
  new Promise((_resolve, reject) => {
    init?.signal?.addEventListener("abort", () => reject(init.signal?.reason));
  });

function setup(
  overrides: Partial<ModelConfig> = {},
  probe: typeof fetch = hangingFetch,
  clock = new FakeClock(),
) {
  const control = new FakeProcessControl();
  const lines = new LogBuffer();
  const logs = new LogBuffer();
  const upstreamLogs = new LogBuffer();
  const process = new ModelProcess({
    config: modelConfig({ cmd: "fake-server --port 9", ...overrides }),
    logger: new Logger(lines, { level: "debug", clock }),
    logs,
    upstreamLogs,
    clock,
    fetch: probe,
    control,
  });
  return { control, clock, lines, logs, upstreamLogs, process };
}

/** Resolves after every pending promise callback has run. */
function nextTurn(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/**
 * Ticks `clock` in `step` ms steps, letting the process react before the
 * first and after each.
 */
async function advance(
  clock: FakeClock,
  ms: number,
  step = 10,
): Promise<void> {
  await nextTurn();
  for (let passed = 0; passed < ms; passed += step) {
    clock.tick(Math.min(step, ms - passed));
    await nextTurn();
  }
}

function startError(reason: StartFailure, message?: RegExp) {
  return (error: unknown) => {
    ok(error instanceof StartError, `not a StartError: ${error}`);
    strictEqual(error.reason, reason);
    if (message) match(error.message, message);
    return true;
  };
}

Deno.test("ModelProcess publishes exactly four transitions for a start and a stop", async () => {
  const { process } = setup();
  const states = recordStates(process);

  await process.ensureReady();
  await process.stop(1000);

  deepStrictEqual(states.transitions(), [
    "stopped->starting",
    "starting->ready",
    "ready->stopping",
    "stopping->stopped",
  ]);
  strictEqual(process.state, "stopped");
  strictEqual(process.pid, null);
});

Deno.test("ModelProcess.ensureReady() resolves at once when the model is ready", async () => {
  const { control, process } = setup();
  await process.ensureReady();

  await process.ensureReady();
  await process.ensureReady();

  strictEqual(control.children.length, 1);
  strictEqual(process.pid, 1001);
});

Deno.test("ModelProcess.ensureReady() shares one start between concurrent callers", async () => {
  const healthy = deferred<void>();
  const { control, process } = setup(
    { checkEndpoint: "/health" },
    () => healthy.promise.then(() => new Response("ok")),
  );

  const first = process.ensureReady();
  const second = process.ensureReady();
  strictEqual(process.state, "starting");
  healthy.resolve();
  await Promise.all([first, second]);

  strictEqual(control.children.length, 1);
  strictEqual(process.state, "ready");
});

Deno.test("ModelProcess runs argv without a shell and adds the model's env entries", async () => {
  const { control, process } = setup({
    cmd: "fake-server --alias 'a b' # not a comment",
    env: ["A=1", "B=x=y", "A=3"],
  });

  await process.ensureReady();

  deepStrictEqual(control.last.argv, [
    "fake-server",
    "--alias",
    "a b",
    "#",
    "not",
    "a",
    "comment",
  ]);
  deepStrictEqual(control.last.env, { A: "3", B: "x=y" });
});

Deno.test("ModelProcess copies the child's output to its log and the upstream log", async () => {
  const { control, logs, process, upstreamLogs } = setup();
  await process.ensureReady();

  control.last.print("loading weights\n");
  await process.stop(1000);

  strictEqual(logs.text(), "loading weights\n");
  strictEqual(upstreamLogs.text(), "loading weights\n");
});

Deno.test("ModelProcess.ensureReady() fails with reason config when no proxy URL is set", async () => {
  const { control, process } = setup({ proxy: "" });

  await rejects(process.ensureReady(), startError("config", /proxy URL/));

  strictEqual(process.state, "stopped");
  strictEqual(control.children.length, 0);
});

Deno.test("ModelProcess.ensureReady() fails with reason spawn naming a missing program", async () => {
  const { process } = setup({ cmd: "missing-program --port 9" });

  await rejects(
    process.ensureReady(),
    startError("spawn", /"missing-program": command not found/),
  );

  strictEqual(process.state, "stopped");
});

Deno.test("ModelProcess.ensureReady() fails with reason spawn for an empty command", async () => {
  const { process } = setup({ cmd: "# nothing but a comment\n" });

  await rejects(process.ensureReady(), startError("spawn", /empty command/));
});

Deno.test("ModelProcess.ensureReady() fails with reason exited when the child dies while starting", async () => {
  const { control, process } = setup({ checkEndpoint: "/health" });
  const ready = process.ensureReady();

  control.last.exit(1);

  await rejects(ready, startError("exited", /exited with code 1/));
  strictEqual(process.state, "stopped");
});

/** A health route answering 200 `ms` after each probe, on `clock`. */
function slowHealth(clock: FakeClock, ms: number) {
  const probes: AbortSignal[] = [];
  const fetch: typeof globalThis.fetch = async (_input, init) => {
    const signal = init!.signal!;
    probes.push(signal);
    await delay(ms, { clock, signal });
    return new Response("ok");
  };
  return { fetch, probes };
}

Deno.test("ModelProcess.ensureReady() waits for a health route that takes 1.5 s to answer", async () => {
  const clock = new FakeClock();
  const health = slowHealth(clock, 1500);
  const { process } = setup({ checkEndpoint: "/health" }, health.fetch, clock);

  const ready = process.ensureReady();
  await advance(clock, 1500);
  await ready;

  strictEqual(process.state, "ready");
  strictEqual(health.probes.length, 1);
});

Deno.test("ModelProcess.ensureReady() limits each health probe to timeouts.responseHeader", async () => {
  const clock = new FakeClock();
  const health = slowHealth(clock, 1500);
  const { process } = setup(
    {
      checkEndpoint: "/health",
      healthCheckTimeout: 3,
      timeouts: { ...modelConfig().timeouts, responseHeader: 1 },
    },
    health.fetch,
    clock,
  );

  const ready = process.ensureReady().catch((error) => error);
  await advance(clock, 1000);
  ok(health.probes[0]!.aborted);
  strictEqual(health.probes.length, 1);
  await advance(clock, 2000);

  startError("timeout", /health check timed out after 3s/)(await ready);
  ok(health.probes.length >= 2);
  ok(health.probes.every((probe) => probe.aborted));
});

Deno.test("ModelProcess.stop() is idempotent before, during and after a run", async () => {
  const { control, process } = setup();
  const states = recordStates(process);

  await process.stop(1000);
  await process.ensureReady();
  await Promise.all([process.stop(1000), process.stop(1000)]);
  await process.stop(1000);

  strictEqual(states.changes.length, 4);
  deepStrictEqual(control.signals.filter((s) => s.startsWith("SIGTERM")), [
    "SIGTERM 1001",
  ]);
});

Deno.test("ModelProcess.stop() during a start aborts it and fails its waiters", async () => {
  const { process } = setup({ checkEndpoint: "/health" });
  const states = recordStates(process);
  const ready = process.ensureReady();

  await process.stop(1000);

  await rejects(ready, startError("aborted"));
  strictEqual(process.state, "stopped");
  deepStrictEqual(states.transitions(), [
    "stopped->starting",
    "starting->stopped",
  ]);
});

Deno.test("ModelProcess.stop() during a start shows starting until the child is gone, then stopped", async () => {
  const { clock, control, process } = setup({ checkEndpoint: "/health" });
  const states = recordStates(process);
  const ready = process.ensureReady().catch((error) => error);
  control.last.honoursSigterm = false;

  const stopped = process.stop(1000);
  await advance(clock, 990);
  strictEqual(process.state, "starting");
  await advance(clock, 10);
  await stopped;

  startError("aborted")(await ready);
  deepStrictEqual(control.signals, ["SIGTERM 1001", "SIGKILL 1001"]);
  deepStrictEqual(states.transitions(), [
    "stopped->starting",
    "starting->stopped",
  ]);
});

Deno.test("ModelProcess goes from starting straight to stopped when the health check times out", async () => {
  const { clock, process } = setup({
    checkEndpoint: "/health",
    healthCheckTimeout: 1,
  });
  const states = recordStates(process);

  const ready = process.ensureReady().catch((error) => error);
  await advance(clock, 1000);

  startError("timeout")(await ready);
  strictEqual(process.state, "stopped");
  deepStrictEqual(states.transitions(), [
    "stopped->starting",
    "starting->stopped",
  ]);
});

Deno.test("ModelProcess.ensureReady() while a timed-out start is cleaned up waits for it, then starts again", async () => {
  const clock = new FakeClock();
  const { control, process } = setup(
    { checkEndpoint: "/health", healthCheckTimeout: 1 },
    (_input, init) =>
      control.children.length > 1
        ? Promise.resolve(new Response("ok"))
        : hangingFetch(_input, init),
    clock,
  );
  const states = recordStates(process);
  const first = process.ensureReady().catch((error) => error);
  control.last.honoursSigterm = false;
  await advance(clock, 1000);
  strictEqual(process.state, "starting");

  const second = process.ensureReady();
  await advance(clock, FAILED_START_GRACE_MS, 250);
  await second;

  startError("timeout")(await first);
  strictEqual(control.children.length, 2);
  deepStrictEqual(states.transitions(), [
    "stopped->starting",
    "starting->stopped",
    "stopped->starting",
    "starting->ready",
  ]);
});

Deno.test("ModelProcess.ensureReady() right after stop() interrupted a start starts again instead of sharing the failure", async () => {
  const { control, process } = setup(
    { checkEndpoint: "/health" },
    (_input, init) =>
      control.children.length > 1
        ? Promise.resolve(new Response("ok"))
        : hangingFetch(_input, init),
  );
  const states = recordStates(process);
  const first = process.ensureReady().catch((error) => error);
  await nextTurn();

  const stopped = process.stop(1000);
  const second = process.ensureReady();
  await stopped;
  await second;

  startError("aborted")(await first);
  strictEqual(process.state, "ready");
  strictEqual(control.children.length, 2);
  deepStrictEqual(states.transitions(), [
    "stopped->starting",
    "starting->stopped",
    "stopped->starting",
    "starting->ready",
  ]);
});

Deno.test("ModelProcess.stop() kills the group once the grace has passed", async () => {
  const { clock, control, process } = setup();
  await process.ensureReady();
  control.last.honoursSigterm = false;

  const stopped = process.stop(3000);
  clock.tick(2999);
  strictEqual(process.state, "stopping");
  clock.tick(1);
  await stopped;

  deepStrictEqual(control.signals, ["SIGTERM 1001", "SIGKILL 1001"]);
  strictEqual(process.state, "stopped");
});

Deno.test("ModelProcess.stop() waits for the rest of the group once the leader has exited", async () => {
  const { clock, control, lines, process } = setup();
  await process.ensureReady();
  const child = control.last;
  child.groupLingers = true;

  const stopped = process.stop(3000);
  await advance(clock, 1000);
  strictEqual(child.running, false);
  strictEqual(process.state, "stopping");
  child.endGroup();
  // Polls back off to GROUP_POLL_MAX_MS apart; the next one sees it gone.
  await advance(clock, GROUP_POLL_MAX_MS);
  await stopped;

  deepStrictEqual(control.signals, ["SIGTERM 1001"]);
  strictEqual(process.state, "stopped");
  match(
    lines.text(),
    /model stopped model=test-model pid=1001 ms=1[0-2]\d\d forced=false/,
  );
});

Deno.test("ModelProcess.stop() kills what is left of the group when the grace runs out", async () => {
  const { clock, control, lines, process } = setup();
  await process.ensureReady();
  control.last.groupLingers = true;

  const stopped = process.stop(3000);
  await advance(clock, 2990);
  deepStrictEqual(control.signals, ["SIGTERM 1001"]);
  strictEqual(process.state, "stopping");
  await advance(clock, 10);
  await stopped;

  deepStrictEqual(control.signals, ["SIGTERM 1001", "SIGKILL 1001"]);
  strictEqual(control.last.groupRunning, false);
  match(
    lines.text(),
    /killing process group model=test-model pid=1001 ms=3000 leader=exited/,
  );
  match(
    lines.text(),
    /model stopped model=test-model pid=1001 ms=3000 forced=true/,
  );
});

Deno.test("ModelProcess.stop() waits for a killed group to be gone, and says so when it is not", async () => {
  const { clock, control, lines, process } = setup();
  await process.ensureReady();
  control.last.groupLingers = true;
  control.last.survivesSigkill = true;
  let done = false;

  const stopped = process.stop(1000).then(() => done = true);
  await advance(clock, 1000);
  await advance(clock, 1000, 250);
  strictEqual(done, false);
  control.last.endGroup();
  await advance(clock, GROUP_POLL_MAX_MS, 250);
  await stopped;

  const second = setup();
  await second.process.ensureReady();
  second.control.last.groupLingers = true;
  second.control.last.survivesSigkill = true;
  const abandoned = second.process.stop(1000);
  await advance(second.clock, 1000 + KILLED_GROUP_WAIT_MS, 250);
  await abandoned;

  doesNotMatch(lines.text(), /still alive after SIGKILL/);
  match(
    second.lines.text(),
    /process group still alive after SIGKILL model=test-model pid=1001 ms=5000/,
  );
});

Deno.test("ModelProcess.ensureReady() during a stop waits for it, then starts again", async () => {
  const { clock, control, process } = setup();
  await process.ensureReady();
  control.last.honoursSigterm = false;
  const states = recordStates(process);

  const stopped = process.stop(1000);
  const ready = process.ensureReady();
  clock.tick(1000);
  await Promise.all([stopped, ready]);

  strictEqual(process.state, "ready");
  strictEqual(control.children.length, 2);
  deepStrictEqual(states.transitions(), [
    "ready->stopping",
    "stopping->stopped",
    "stopped->starting",
    "starting->ready",
  ]);
});

Deno.test("ModelProcess.ensureReady() lets an aborted caller go without cancelling the start", async () => {
  const healthy = deferred<void>();
  const { process } = setup(
    { checkEndpoint: "/health" },
    () => healthy.promise.then(() => new Response("ok")),
  );
  const leaving = new AbortController();

  const first = process.ensureReady(leaving.signal);
  const second = process.ensureReady();
  leaving.abort(new Error("client went away"));
  await rejects(first, /client went away/);
  healthy.resolve();
  await second;

  strictEqual(process.state, "ready");
});

Deno.test("ModelProcess treats an exit while ready as a crash and starts again on demand", async () => {
  const { control, lines, process } = setup();
  await process.ensureReady();
  const stopped = nextState(process, "stopped");

  control.last.exit(70);
  await stopped;
  await process.ensureReady();

  match(
    lines.text(),
    /upstream exited unexpectedly model=test-model pid=1001 code=70/,
  );
  strictEqual(process.state, "ready");
  strictEqual(process.pid, 1002);
});

Deno.test("ModelProcess runs cmdStop with the child's pid instead of signalling", async () => {
  const { control, process } = setup({ cmdStop: "fake-stop --pid ${PID}" });
  control.onSpawn = (child) => {
    if (child.argv[0] !== "fake-stop") return;
    control.children[0]!.exit(0);
    child.exit(0);
  };
  await process.ensureReady();

  await process.stop(1000);
  await process.shutdown(1000);

  deepStrictEqual(control.children[1]!.argv, ["fake-stop", "--pid", "1001"]);
  ok(!control.signals.includes("SIGTERM 1001"));
});

Deno.test("ModelProcess falls back to SIGTERM when cmdStop cannot run", async () => {
  const { control, lines, process } = setup({
    cmdStop: "missing-program ${PID}",
  });
  await process.ensureReady();

  await process.stop(1000);

  ok(control.signals.includes("SIGTERM 1001"));
  match(lines.text(), /cannot run cmdStop/);
});

Deno.test("ModelProcess unloads after ttl seconds counted from readiness", async () => {
  const { clock, lines, process } = setup({ ttl: 60 });
  await process.ensureReady();
  const stopped = nextState(process, "stopped");

  clock.tick(59_999);
  strictEqual(process.state, "ready");
  clock.tick(1);
  await stopped;

  match(lines.text(), /unloading model, ttl reached model=test-model ttl=60/);
});

Deno.test("ModelProcess does not unload while a request is in flight", async () => {
  const { clock, process } = setup({ ttl: 60 });
  await process.ensureReady();

  const end = process.beginRequest();
  clock.tick(600_000);
  strictEqual(process.state, "ready");
  strictEqual(process.inFlight, 1);

  end();
  end();
  strictEqual(process.inFlight, 0);
  clock.tick(59_999);
  strictEqual(process.state, "ready");
  clock.tick(1);
  strictEqual(process.state, "stopping");
});

Deno.test("ModelProcess counts a request begun while starting against the ttl", async () => {
  const { clock, process } = setup({ ttl: 10 });

  const end = process.beginRequest();
  await process.ensureReady();
  clock.tick(20_000);
  strictEqual(process.state, "ready");

  end();
  clock.tick(10_000);
  strictEqual(process.state, "stopping");
});

Deno.test("ModelProcess never unloads with a ttl of zero", async () => {
  const { clock, process } = setup({ ttl: 0 });
  await process.ensureReady();

  process.beginRequest()();
  clock.tick(10_000_000);

  strictEqual(process.state, "ready");
  strictEqual(clock.pendingTimers, 0);
});

Deno.test("ModelProcess.shutdown() stops the child and refuses later starts", async () => {
  const { process } = setup();
  await process.ensureReady();
  const states = recordStates(process);

  await process.shutdown(1000);

  strictEqual(process.state, "shutdown");
  deepStrictEqual(states.transitions(), [
    "ready->stopping",
    "stopping->stopped",
    "stopped->shutdown",
  ]);
  await rejects(process.ensureReady(), startError("shutdown"));
});

Deno.test("ModelProcess.shutdown() during a start fails its waiters with reason shutdown", async () => {
  const { process } = setup({ checkEndpoint: "/health" });
  const ready = process.ensureReady();

  await process.shutdown(1000);

  await rejects(ready, startError("shutdown"));
  strictEqual(process.state, "shutdown");
});

Deno.test("ModelProcess.ensureReady() waiting on a stop is refused when shutdown follows", async () => {
  const { clock, control, process } = setup();
  await process.ensureReady();
  control.last.honoursSigterm = false;

  const stopped = process.stop(1000);
  const ready = process.ensureReady();
  const shutdown = process.shutdown(1000);
  clock.tick(1000);

  await rejects(ready, startError("shutdown"));
  await Promise.all([stopped, shutdown]);
  strictEqual(control.children.length, 1);
});

Deno.test("ModelProcess records its child in the registry while it runs", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const control = new FakeProcessControl();
    const registry = new ProcessRegistry(dir);
    const process = new ModelProcess({
      config: modelConfig({ cmd: "fake-server --port 9" }),
      logger: new Logger(new LogBuffer()),
      logs: new LogBuffer(),
      control,
      registry,
    });

    await process.ensureReady();
    const running = await registry.list();
    await process.shutdown(1000);
    const after = await registry.list();

    deepStrictEqual(
      running.map((r) => [r.ownerPid, r.pid, r.pgid, r.model, r.argv0]),
      [[Deno.pid, 1001, 1001, "test-model", "fake-server"]],
    );
    deepStrictEqual(after, []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("ModelProcess can run three start and stop cycles in a row", async () => {
  const { control, process } = setup();
  const states = recordStates(process);

  for (let cycle = 0; cycle < 3; cycle++) {
    await process.ensureReady();
    await process.stop(1000);
  }

  strictEqual(control.children.length, 3);
  strictEqual(states.changes.length, 12);
  ok(control.children.every((child) => !child.running));
});

Deno.test("ModelProcess settles every racing ensureReady() and stop() call", async () => {
  const healthy = { now: false };
  const { clock, control, process } = setup(
    { checkEndpoint: "/health" },
    () =>
      Promise.resolve(new Response(null, { status: healthy.now ? 200 : 503 })),
  );
  const states = recordStates(process);
  let seed = 7;
  const random = () => (seed = (seed * 48271) % 2147483647) / 2147483647;

  for (let round = 0; round < 10; round++) {
    const calls: Promise<unknown>[] = [];
    for (let i = 0; i < 6; i++) {
      calls.push(
        random() < 0.5
          ? process.ensureReady().catch((error) => error)
          : process.stop(1000),
      );
      healthy.now = random() < 0.5;
      await Promise.resolve();
    }
    healthy.now = true;
    const all = Promise.all(calls).then(() => true);
    while (!await Promise.race([all, nextTurn().then(() => false)])) {
      clock.tick(10);
    }
  }
  await process.shutdown(1000);

  ok(control.children.every((child) => !child.running));
  states.changes.forEach((change, i) => {
    if (i > 0) strictEqual(change.from, states.changes[i - 1]!.to);
  });
});
