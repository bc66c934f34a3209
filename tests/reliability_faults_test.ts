/**
 * Upstream faults end to end: a real proxy (in this process) in front of
 * real simulated model children that fail to start, exit while loading,
 * never become healthy, crash mid-stream, ignore SIGTERM, leave a
 * grandchild holding their pipes, or find their port taken. Every case
 * ends with each request answered (or cleanly ended) and nothing left in
 * flight in the router or the processes.
 */
import assert from "node:assert/strict";
import {
  chat,
  type Harness,
  isQuiet,
  simulateCommand,
  startHarness,
} from "../bench/mod.ts";
import type { Config } from "../config/mod.ts";
import { isGone } from "./process_fixtures.ts";

/** A config with one model `m` started by `cmd`. */
function oneModel(cmd: string, unloadTimeout = 2): string {
  return [
    "healthCheckTimeout: 30",
    "logLevel: debug",
    "models:",
    "  m:",
    `    cmd: ${cmd}`,
    "    proxy: http://127.0.0.1:${PORT}",
    `    unloadTimeout: ${unloadTimeout}`,
    "",
  ].join("\n");
}

/** The error envelope's message, or fails the test. */
function errorMessage(text: string): string {
  const body = JSON.parse(text) as { error?: { message?: unknown } };
  assert.equal(typeof body.error?.message, "string", `no envelope: ${text}`);
  return body.error!.message as string;
}

async function assertQuiet(proxy: Harness): Promise<void> {
  const left = await proxy.quiet();
  assert.ok(isQuiet(left), `still busy: ${JSON.stringify(left)}`);
}

Deno.test("a model whose command does not exist answers 500 with the reason and leaves nothing in flight", async () => {
  await using proxy = await startHarness({
    configText: oneModel("/nonexistent/llama-server --port ${PORT}"),
  });

  const first = await chat(proxy.url, "m");
  const second = await chat(proxy.url, "m");

  assert.equal(first.status, 500);
  assert.match(errorMessage(first.text), /Cannot start model "m"/);
  assert.match(errorMessage(first.text), /nonexistent/);
  assert.equal(second.status, 500);
  assert.equal(proxy.process("m").state, "stopped");
  await assertQuiet(proxy);
});

Deno.test("a model that exits while loading fails its waiters with the exit status", async () => {
  await using proxy = await startHarness({
    configText: oneModel(
      simulateCommand("--load-ms 60000 --exit-after-ms 300"),
    ),
  });

  const outcomes = await Promise.all([
    chat(proxy.url, "m"),
    chat(proxy.url, "m", { stream: true }),
  ]);

  for (const outcome of outcomes) {
    assert.equal(outcome.status, 500);
    assert.match(
      errorMessage(outcome.text),
      /exited with .*before it became healthy/,
    );
  }
  assert.equal(proxy.loads("m"), 1);
  assert.equal(proxy.process("m").state, "stopped");
  await assertQuiet(proxy);
});

Deno.test("a model that never becomes healthy times out, is stopped, and frees its waiters", async () => {
  await using proxy = await startHarness({
    configText: oneModel(simulateCommand("--never-healthy")),
    adjust: (config) => withModel(config, { healthCheckTimeout: 1 }),
  });

  const outcome = await chat(proxy.url, "m");

  assert.equal(outcome.status, 500);
  assert.match(errorMessage(outcome.text), /health check timed out after 1s/);
  assert.equal(proxy.process("m").state, "stopped");
  assert.equal(proxy.process("m").pid, null);
  await assertQuiet(proxy);
});

Deno.test("a crash mid-stream ends that stream, and the next request starts the model again", async () => {
  await using proxy = await startHarness({
    configText: oneModel(
      simulateCommand("--crash-mid-stream 3 --token-ms 5 --tokens 20"),
    ),
  });

  const crashed = await chat(proxy.url, "m", { stream: true });
  const crashedState = proxy.nextState("m", "stopped");
  await crashedState;
  const after = await chat(proxy.url, "m");

  assert.ok(
    crashed.error !== null || !crashed.text.includes("[DONE]"),
    `the cut stream looked whole: ${crashed.text.slice(-200)}`,
  );
  assert.equal(after.status, 200);
  assert.equal(proxy.loads("m"), 2);
  await assertQuiet(proxy);
});

Deno.test("unloading a model that ignores SIGTERM kills it after its unloadTimeout", async () => {
  await using proxy = await startHarness({
    configText: oneModel(simulateCommand("--ignore-sigterm"), 1),
  });
  const served = await chat(proxy.url, "m");
  const pid = proxy.process("m").pid!;

  await proxy.server.runtime.router.unload(["m"]);

  assert.equal(served.status, 200);
  assert.ok(isGone(pid), `pid ${pid} still runs`);
  assert.equal(proxy.process("m").state, "stopped");
  assert.match(proxy.logText(), /model stopped model=m .*forced=true/);
  await assertQuiet(proxy);
});

Deno.test("unloading a model whose grandchild holds its pipes stops the whole group", async () => {
  const dir = await Deno.makeTempDir({ prefix: "reliability-" });
  try {
    await using proxy = await startHarness({
      configText: oneModel(
        simulateCommand(`--grandchild --pid-file ${dir}/pids.json`),
      ),
    });
    const served = await chat(proxy.url, "m");
    const pids = JSON.parse(await Deno.readTextFile(`${dir}/pids.json`)) as {
      pid: number;
      grandchildPid: number;
    };

    await proxy.server.runtime.router.unload(["m"]);

    assert.equal(served.status, 200);
    assert.ok(isGone(pids.pid), `child ${pids.pid} still runs`);
    assert.ok(isGone(pids.grandchildPid), `grandchild still runs`);
    assert.equal(proxy.process("m").state, "stopped");
    await assertQuiet(proxy);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a model whose port is already taken fails to start instead of hanging", async () => {
  using squatter = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = squatter.addr.port;
  await using proxy = await startHarness({
    configText: oneModel(simulateCommand().replace("${PORT}", String(port)))
      .replace("${PORT}", String(port)),
  });

  const outcome = await chat(proxy.url, "m");

  assert.equal(outcome.status, 500);
  assert.match(
    errorMessage(outcome.text),
    /Cannot start model "m": the command exited with/,
  );
  assert.equal(proxy.process("m").state, "stopped");
  await assertQuiet(proxy);
});

/** `config` with model `m`'s settings changed. */
function withModel(
  config: Config,
  settings: Partial<Config["models"][string]>,
): Config {
  const model = config.models["m"]!;
  return {
    ...config,
    models: { ...config.models, m: { ...model, ...settings } },
  };
}
