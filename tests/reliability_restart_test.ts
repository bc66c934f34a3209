/**
 * Config reloads under traffic, and a proxy killed with SIGKILL then
 * started again on the same data directory, end to end over real
 * simulated models.
 */
import assert from "node:assert/strict";
import {
  chat,
  type ChatOutcome,
  freePortRange,
  isQuiet,
  simulateCommand,
  startHarness,
  startProxyChild,
} from "../bench/mod.ts";
import { loadConfig } from "../config/mod.ts";
import { isGone } from "./process_fixtures.ts";

/** Models a and b side by side; `tokens` sets each one's reply length. */
function configText(
  startPort: number,
  tokens: { a: number; b: number },
): string {
  const model = (id: "a" | "b") => [
    `  ${id}:`,
    `    cmd: ${
      simulateCommand(`--model ${id} --token-ms 2 --tokens ${tokens[id]}`)
    }`,
    "    proxy: http://127.0.0.1:${PORT}",
    "    unloadTimeout: 2",
  ];
  return [
    `startPort: ${startPort}`,
    "healthCheckTimeout: 30",
    "models:",
    ...model("a"),
    ...model("b"),
    "groups:",
    "  pair:",
    "    swap: false",
    "    members: [a, b]",
    "",
  ].join("\n");
}

Deno.test("a config reload under steady traffic answers every request and restarts only what changed", async () => {
  const startPort = freePortRange(10);
  let text = configText(startPort, { a: 8, b: 8 });
  await using proxy = await startHarness({
    configText: text,
    reloadSource: () => Promise.resolve(loadConfig(text)),
  });
  await Promise.all([chat(proxy.url, "a"), chat(proxy.url, "b")]);
  let running = true;
  const outcomes: ChatOutcome[] = [];
  const client = async (stream: boolean) => {
    while (running) outcomes.push(await chat(proxy.url, "a", { stream }));
  };
  const clients = [false, true, false, true].map(client);

  text = configText(startPort, { a: 8, b: 5 });
  const bChanged = await proxy.server.reload();
  const afterFirst = proxy.loads("a");
  text = configText(startPort, { a: 6, b: 5 });
  const aChanged = await proxy.server.reload();
  const after = await chat(proxy.url, "a");
  running = false;
  await Promise.all(clients);

  assert.equal(bChanged, true);
  assert.equal(aChanged, true);
  assert.equal(afterFirst, 1, "a restarted although it did not change");
  assert.equal(proxy.loads("a"), 2);
  assert.ok(outcomes.length > 0);
  assert.equal(after.status, 200);
  assert.equal(JSON.parse(after.text).usage.completion_tokens, 6);
  const failures = outcomes.filter((o) => o.status !== 200 || o.error);
  assert.deepEqual(
    failures.map((o) => `${o.status} ${o.text.slice(0, 120)}`),
    [],
  );
  const left = await proxy.quiet();
  assert.ok(isQuiet(left), `still busy: ${JSON.stringify(left)}`);
});

Deno.test("a proxy started after another was killed with SIGKILL reaps the models it left running", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "reliability-data-" });
  const pidFile = `${dataDir}/model.json`;
  const text = [
    "models:",
    "  a:",
    `    cmd: ${
      simulateCommand(`--model a --grandchild --pid-file ${pidFile}`)
    }`,
    "    proxy: http://127.0.0.1:${PORT}",
    "",
  ].join("\n");
  let orphan = 0;
  let grandchild = 0;
  try {
    {
      await using first = await startProxyChild({ configText: text, dataDir });
      assert.equal((await chat(first.url, "a")).status, 200);
      const pids = JSON.parse(await Deno.readTextFile(pidFile)) as {
        pid: number;
        grandchildPid: number;
      };
      orphan = pids.pid;
      grandchild = pids.grandchildPid;

      first.kill("SIGKILL");
      await first.status;
    }
    const survived = !isGone(orphan) && !isGone(grandchild);

    await using second = await startProxyChild({ configText: text, dataDir });
    const reaped = isGone(orphan) && isGone(grandchild);
    const served = await chat(second.url, "a");

    assert.ok(survived, "the model died with the proxy: nothing to reap");
    assert.ok(reaped, `group ${orphan} still runs after the restart`);
    assert.equal(served.status, 200);
  } finally {
    const left = [orphan, grandchild].some((pid) => pid > 0 && !isGone(pid));
    if (left) Deno.kill(-orphan, "SIGKILL"); // the test failed: clean up
    await Deno.remove(dataDir, { recursive: true });
  }
});
