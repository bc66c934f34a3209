/**
 * `ModelProcess` against real children: the simulator started through this
 * program's own entry, and a few tiny shell commands.
 */
import {
  deepStrictEqual,
  match,
  ok,
  rejects,
  strictEqual,
} from "node:assert/strict";
import type { ModelConfig } from "../config/types.ts";
import { selfCommand, shellQuote } from "../lib/mod.ts";
import { LogBuffer, Logger } from "../log/mod.ts";
import { ModelProcess, StartError, type StartFailure } from "../process/mod.ts";
import {
  freePort,
  isGone,
  modelConfig,
  nextState,
  recordStates,
  waitForText,
} from "./process_fixtures.ts";

/** A config running `simulate` with `flags` on a free port. */
function simulatorConfig(
  flags: readonly string[],
  overrides: Partial<ModelConfig> = {},
): ModelConfig {
  const port = freePort();
  const argv = [...selfCommand(), "simulate", "--port", String(port), ...flags];
  return modelConfig({
    id: "sim",
    cmd: shellQuote(argv),
    proxy: `http://127.0.0.1:${port}`,
    checkEndpoint: "/health",
    ...overrides,
  });
}

function realProcess(config: ModelConfig) {
  const lines = new LogBuffer();
  const logs = new LogBuffer();
  const upstreamLogs = new LogBuffer();
  const process = new ModelProcess({
    config,
    logger: new Logger(lines, { level: "debug" }),
    logs,
    upstreamLogs,
  });
  return { process, lines, logs, upstreamLogs };
}

function startError(reason: StartFailure, message?: RegExp) {
  return (error: unknown) => {
    ok(error instanceof StartError, `not a StartError: ${error}`);
    strictEqual(error.reason, reason);
    if (message) match(error.message, message);
    return true;
  };
}

async function chat(proxy: string): Promise<number> {
  const response = await fetch(`${proxy}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ messages: [{ role: "user", content: "hi" }] }),
  });
  await response.body?.cancel();
  return response.status;
}

Deno.test("ModelProcess starts the simulator, serves it when healthy and stops it", async () => {
  const config = simulatorConfig(["--load-ms", "150"]);
  const { process, lines } = realProcess(config);
  await using _ = process;
  const states = recordStates(process);

  await process.ensureReady();
  const health = await fetch(`${config.proxy}/health`);
  await health.body?.cancel();
  const pid = process.pid!;
  await process.stop(5000);

  strictEqual(health.status, 200);
  deepStrictEqual(states.transitions(), [
    "stopped->starting",
    "starting->ready",
    "ready->stopping",
    "stopping->stopped",
  ]);
  ok(isGone(pid));
  match(lines.text(), /INFO\] process: model ready model=sim pid=\d+ ms=\d+/);
  match(lines.text(), /model stopped model=sim pid=\d+ ms=\d+ forced=false/);
});

Deno.test("ModelProcess.stop() waits while the child honours SIGTERM slowly", async () => {
  const { process, lines, logs } = realProcess(
    simulatorConfig(["--stop-ms", "300"]),
  );
  await using _ = process;
  await process.ensureReady();

  await process.stop(5000);

  match(logs.text(), /stopping on signal signal=SIGTERM/);
  match(logs.text(), /stopped/);
  match(lines.text(), /forced=false/);
});

Deno.test("ModelProcess.stop() kills a child that ignores SIGTERM once the grace is over", async () => {
  const { process, lines, logs } = realProcess(
    simulatorConfig(["--ignore-sigterm"]),
  );
  await using _ = process;
  await process.ensureReady();
  const pid = process.pid!;

  await process.stop(300);

  match(logs.text(), /ignoring stop signal/);
  match(lines.text(), /forced=true/);
  ok(isGone(pid));
  strictEqual(process.state, "stopped");
});

Deno.test("ModelProcess.stop() runs cmdStop with the child's pid", async () => {
  const cmdStop = "sh -c 'echo cmdStop ran for $0; kill -TERM $0' ${PID}";
  const { process, lines, logs } = realProcess(
    simulatorConfig([], { cmdStop }),
  );
  await using _ = process;
  await process.ensureReady();
  const pid = process.pid!;

  await process.stop(5000);

  match(logs.text(), new RegExp(`cmdStop ran for ${pid}\\n`));
  match(logs.text(), /stopping on signal signal=SIGTERM/);
  match(lines.text(), /forced=false/);
});

Deno.test("ModelProcess.stop() leaves no grandchild behind", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const pidFile = `${dir}/pids.json`;
    const { process } = realProcess(
      simulatorConfig(["--grandchild", "--pid-file", pidFile]),
    );
    await using _ = process;
    await process.ensureReady();
    const pids = JSON.parse(await Deno.readTextFile(pidFile));
    ok(!isGone(pids.grandchildPid));

    await process.stop(5000);

    ok(isGone(pids.pid));
    ok(isGone(pids.grandchildPid));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/**
 * Runs `script` as `sh <script> <marker>` under a wrapper shell, the way
 * `cmd: sh -c "server ...; echo done"` runs a server: the wrapper leads
 * the group and dies at SIGTERM, its child is a member of the group.
 */
async function wrappedScript(dir: string, script: string) {
  const path = `${dir}/child.sh`;
  const marker = `${dir}/marker`;
  await Deno.writeTextFile(path, script);
  const wrapper = `sh ${shellQuote([path, marker])}; echo wrapper done`;
  return { cmd: shellQuote(["sh", "-c", wrapper]), marker };
}

Deno.test("ModelProcess.stop() lets a grandchild finish its SIGTERM handler after the leader exits", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const { cmd, marker } = await wrappedScript(
      dir,
      `trap 'sleep 0.3; echo drained > "$1"; exit 0' TERM
echo "child ready $$"
while :; do sleep 0.05; done
`,
    );
    const { process, lines, logs } = realProcess(modelConfig({ cmd }));
    await using _ = process;
    await process.ensureReady();
    const child = Number(
      (await waitForText(logs, /child ready \d+/)).split(" ")[2],
    );

    await process.stop(5000);

    strictEqual(await Deno.readTextFile(marker), "drained\n");
    ok(isGone(child));
    match(
      lines.text(),
      /model stopped model=test-model pid=\d+ ms=\d+ forced=false/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("ModelProcess.stop() kills a grandchild that ignores SIGTERM once the grace is over", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const { cmd } = await wrappedScript(
      dir,
      `trap '' TERM
echo "child ready $$"
while :; do sleep 0.05; done
`,
    );
    const { process, lines, logs } = realProcess(modelConfig({ cmd }));
    await using _ = process;
    await process.ensureReady();
    const child = Number(
      (await waitForText(logs, /child ready \d+/)).split(" ")[2],
    );
    const began = Date.now();

    await process.stop(500);

    // Timers may fire a millisecond early by Date.now()'s rounding.
    ok(Date.now() - began >= 490, "the grandchild got less than its grace");
    ok(isGone(child));
    strictEqual(process.state, "stopped");
    match(lines.text(), /forced=true/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("ModelProcess.stop() does not hang on pipes held by a process outside the group", async () => {
  // The inner sleep starts its own session, so the group kill misses it
  // while it keeps our stdout open.
  const { process, lines, logs } = realProcess(modelConfig({
    cmd: `sh -c 'setsid sh -c "echo \\$\\$; exec sleep 30" & exec sleep 30'`,
  }));
  await using _ = process;
  await process.ensureReady();
  const escaped = Number(await waitForText(logs, /^\d+\n/));

  try {
    await process.stop(1000);

    strictEqual(process.state, "stopped");
    ok(!isGone(escaped));
    match(lines.text(), /output still open after exit, no longer reading it/);
  } finally {
    Deno.kill(escaped, "SIGKILL");
  }
});

Deno.test("ModelProcess.ensureReady() fails with reason timeout when the health check never passes", async () => {
  const { process } = realProcess(
    simulatorConfig(["--never-healthy"], { healthCheckTimeout: 0.5 }),
  );
  await using _ = process;
  const states = recordStates(process);

  await rejects(
    process.ensureReady(),
    startError("timeout", /health check timed out after 0\.5s/),
  );

  strictEqual(process.state, "stopped");
  strictEqual(process.pid, null);
  deepStrictEqual(states.transitions(), [
    "stopped->starting",
    "starting->stopped",
  ]);
});

Deno.test("ModelProcess.ensureReady() fails with reason exited when the child exits while loading", async () => {
  const { process } = realProcess(
    simulatorConfig(["--load-ms", "10000", "--exit-after-ms", "100"]),
  );
  await using _ = process;

  await rejects(
    process.ensureReady(),
    startError("exited", /exited with code 1 before it became healthy/),
  );

  strictEqual(process.state, "stopped");
});

Deno.test("ModelProcess.ensureReady() fails with reason spawn when the program does not exist", async () => {
  const { process } = realProcess(
    modelConfig({ cmd: "/nonexistent/llama-server --port 1" }),
  );
  await using _ = process;

  await rejects(
    process.ensureReady(),
    startError("spawn", /"\/nonexistent\/llama-server": command not found/),
  );

  strictEqual(process.state, "stopped");
});

Deno.test("ModelProcess.stop() during a slow load aborts the start", async () => {
  const { process } = realProcess(simulatorConfig(["--load-ms", "30000"]));
  await using _ = process;
  const states = recordStates(process);
  const starting = nextState(process, "starting");
  const ready = process.ensureReady();
  await starting;

  await process.stop(2000);

  await rejects(ready, startError("aborted"));
  strictEqual(process.state, "stopped");
  deepStrictEqual(states.transitions(), [
    "stopped->starting",
    "starting->stopped",
  ]);
});

Deno.test("ModelProcess.ensureReady() during a stop restarts the model once the stop ends", async () => {
  const { process } = realProcess(
    simulatorConfig(["--ignore-sigterm"], { unloadTimeout: 0.1 }),
  );
  await using _ = process;
  await process.ensureReady();
  const firstPid = process.pid;
  const states = recordStates(process);

  const stopped = process.stop(1000);
  strictEqual(process.state, "stopping");
  await process.ensureReady();
  await stopped;

  strictEqual(process.state, "ready");
  ok(process.pid !== firstPid);
  deepStrictEqual(states.transitions(), [
    "ready->stopping",
    "stopping->stopped",
    "stopped->starting",
    "starting->ready",
  ]);
});

Deno.test("ModelProcess unloads an idle model once its ttl has passed", async () => {
  const config = simulatorConfig([], { ttl: 1, unloadTimeout: 2 });
  const { process, lines } = realProcess(config);
  await using _ = process;
  await process.ensureReady();
  const end = process.beginRequest();
  strictEqual(await chat(config.proxy), 200);
  const stopped = nextState(process, "stopped");

  end();
  await stopped;

  match(lines.text(), /unloading model, ttl reached model=sim ttl=1/);
});

Deno.test("ModelProcess notices a crash and starts again on the next ensureReady", async () => {
  const config = simulatorConfig(["--crash-after", "1"]);
  const { process, lines } = realProcess(config);
  await using _ = process;
  await process.ensureReady();
  const firstPid = process.pid;
  const stopped = nextState(process, "stopped");

  // The simulator may exit before its reply is fully sent.
  await chat(config.proxy).catch(() => 0);
  await stopped;
  await process.ensureReady();

  match(lines.text(), /upstream exited unexpectedly model=sim pid=\d+ code=70/);
  strictEqual(process.state, "ready");
  ok(process.pid !== firstPid);
});

Deno.test("ModelProcess keeps draining a chatty child so it becomes ready", async () => {
  const { process, logs, upstreamLogs } = realProcess(
    simulatorConfig(["--chatty", "512"]),
  );
  await using _ = process;

  await process.ensureReady();

  match(logs.text(), /chatter line/);
  strictEqual(logs.history().length, logs.capacity);
  strictEqual(upstreamLogs.history().length, upstreamLogs.capacity);
});
