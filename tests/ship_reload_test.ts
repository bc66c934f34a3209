/**
 * Config reload end to end, over simulated models (real child processes):
 * a reload replaces only the models it changed while a stream on a kept
 * model runs on, a broken config changes nothing, SIGHUP and
 * `--watch-config` reload a running `main.ts`, and the preload hook loads
 * models in order through the planner at start, sending each a `GET /`.
 */
import assert from "node:assert/strict";
import { loadConfig } from "../config/mod.ts";
import { ProxyServer } from "../serve/mod.ts";
import { freePort, isGone, waitForText } from "./process_fixtures.ts";
import { reaches } from "./router_fake_process.ts";
import {
  chat,
  killLeftovers,
  recordedPids,
  simulatedModel,
  startMain,
} from "./ship_main_child.ts";

/** A config of `models` that may all run at once, plus `extra` lines. */
function sharingConfig(models: Record<string, string>, extra = ""): string {
  return [
    "healthCheckTimeout: 30",
    "models:",
    ...Object.values(models),
    "groups:",
    "  everyone:",
    "    swap: false",
    "    exclusive: false",
    `    members: [${Object.keys(models).join(", ")}]`,
    extra,
  ].join("\n");
}

/** A server whose reloads read `source()`. */
async function startServer(source: () => string): Promise<ProxyServer> {
  const initial = loadConfig(source());
  if (!initial.ok) {
    throw new Error(`Cannot load test config: ${JSON.stringify(initial)}`);
  }
  return await ProxyServer.start({
    config: initial.config,
    hostname: "127.0.0.1",
    port: 0,
    dataDir: null,
    buildInfo: { version: "test", commit: "test", buildDate: "test" },
    reloadSource: () => Promise.resolve(loadConfig(source())),
  });
}

async function load(server: ProxyServer, model: string): Promise<void> {
  const response = await chat(server.url, model, { maxTokens: 1 });
  assert.equal(response.status, 200, await response.clone().text());
  await response.body?.cancel();
}

Deno.test("ProxyServer.reload() replaces, removes and adds models while a stream on a kept model runs on", async () => {
  const changePort = freePort();
  const keep = simulatedModel("keep", ["--token-ms", "40", "--tokens", "25"]);
  const before = sharingConfig({
    keep,
    change: simulatedModel("change", [], changePort),
    gone: simulatedModel("gone"),
  });
  const after = sharingConfig({
    keep,
    change: simulatedModel("change", ["--tokens", "3"], changePort),
    fresh: simulatedModel("fresh"),
  });
  let text = before;
  const server = await startServer(() => text);
  try {
    for (const model of ["keep", "change", "gone"]) await load(server, model);
    const old = new Map(server.runtime.processes);
    const oldPids = new Map([...old].map(([id, p]) => [id, p.pid]));
    const keepTransitions: string[] = [];
    old.get("keep")!.onStateChange((c) =>
      keepTransitions.push(`${c.from}->${c.to}`)
    );
    const stream = await chat(server.url, "keep", { stream: true });
    const reader = stream.body!.pipeThrough(new TextDecoderStream())
      .getReader();
    let received = (await reader.read()).value ?? "";

    text = after;
    const reloaded = await server.reload();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      received += value;
    }

    assert.equal(reloaded, true);
    assert.match(received, /data: \[DONE\]/);
    assert.equal(received.match(/"content":/g)?.length, 25);
    const now = server.runtime.processes;
    assert.equal(now.get("keep"), old.get("keep"));
    assert.equal(now.get("keep")!.pid, oldPids.get("keep"));
    assert.deepEqual(keepTransitions, []);
    assert.notEqual(now.get("change"), old.get("change"));
    assert.deepEqual([...now.keys()].sort(), ["change", "fresh", "keep"]);
    await reaches(old.get("change")!, "shutdown");
    await reaches(old.get("gone")!, "shutdown");
    await reaches(now.get("change")!, "ready");
    assert.notEqual(now.get("change")!.pid, oldPids.get("change"));
    assert.ok(isGone(oldPids.get("change")!));
    assert.ok(isGone(oldPids.get("gone")!));
    assert.equal(now.get("fresh")!.state, "stopped");
    await waitForText(
      server.logs.proxy,
      /config reloaded kept=keep replaced=change removed=gone added=fresh/,
    );
  } finally {
    await server.shutdown();
  }
});

Deno.test("ProxyServer.reload() refuses a broken config and leaves config, processes and PIDs as they were", async () => {
  const good = sharingConfig({ keep: simulatedModel("keep") });
  let text = good;
  const server = await startServer(() => text);
  try {
    await load(server, "keep");
    const runtime = server.runtime;
    const pid = runtime.processes.get("keep")!.pid;

    text = "models:\n  keep: [unclosed\n";
    const syntax = await server.reload();
    text = good.replace("unloadTimeout: 3", "unloadTimeout: -1");
    const semantic = await server.reload();

    assert.equal(syntax, false);
    assert.equal(semantic, false);
    assert.equal(server.runtime, runtime);
    assert.equal(runtime.processes.get("keep")!.state, "ready");
    assert.equal(runtime.processes.get("keep")!.pid, pid);
    const log = server.logs.proxy.text();
    assert.match(
      log,
      /\[ERROR\] config: invalid config file=config.yaml line=\d+ column=\d+/,
    );
    assert.match(log, /invalid config .*path=models.keep.unloadTimeout/);
    assert.equal(log.match(/config reload refused/g)?.length, 2);
    await load(server, "keep");
  } finally {
    await server.shutdown();
  }
});

Deno.test("ProxyServer preloads hooks.on_startup.preload in order, through the planner, with a GET / to each", async () => {
  const text = [
    "healthCheckTimeout: 30",
    "models:",
    simulatedModel("first"),
    simulatedModel("second"),
    "hooks:",
    "  on_startup:",
    "    preload: [first, second]",
    "",
  ].join("\n");
  const server = await startServer(() => text);
  try {
    await waitForText(server.logs.proxy, /model preloaded model=second/);

    const log = server.logs.proxy.text();
    const first = log.indexOf("model preloaded model=first status=200");
    const second = log.indexOf("model preloaded model=second status=200");
    assert.ok(first >= 0 && first < second, log);
    assert.match(log, /swap started model=second evict=first/);
    for (const model of ["first", "second"]) {
      const upstreamLog = server.logs.model(model).text();
      assert.match(upstreamLog, /request method=GET path=\/ .*status=200/);
    }
    assert.equal(server.runtime.processes.get("first")!.state, "stopped");
    assert.equal(server.runtime.processes.get("second")!.state, "ready");
  } finally {
    await server.shutdown();
  }
});

Deno.test("main.ts reloads its config on SIGHUP and keeps the running model", async () => {
  const dir = await Deno.makeTempDir();
  const pidFile = `${dir}/keep.json`;
  const keep = simulatedModel("keep", ["--pid-file", pidFile]);
  const configPath = `${dir}/config.yaml`;
  await Deno.writeTextFile(configPath, sharingConfig({ keep }));
  const pids: number[] = [];
  try {
    await using main = await startMain([
      "--config",
      configPath,
      "--data-dir",
      `${dir}/data`,
    ]);
    const loaded = await chat(main.url, "keep", { maxTokens: 1 });
    await loaded.body?.cancel();
    pids.push(...await recordedPids(pidFile));

    await Deno.writeTextFile(
      configPath,
      sharingConfig({ keep, fresh: simulatedModel("fresh") }),
    );
    main.kill("SIGHUP");
    const reloaded = await main.waitForLine(/config reloaded/);
    const list = await (await fetch(`${main.url}/v1/models`)).json();

    assert.equal(loaded.status, 200);
    assert.match(reloaded, /kept=keep .*added=fresh/);
    assert.deepEqual(
      list.data.map((m: { id: string }) => m.id).sort(),
      ["fresh", "keep"],
    );
    assert.ok(!isGone(pids[0]!), "the kept model was restarted");
    assert.deepEqual(await recordedPids(pidFile), pids);
    main.kill("SIGTERM");
    assert.equal((await main.status).code, 0);
  } finally {
    killLeftovers(pids);
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("main.ts --watch-config reloads when the file changes", async () => {
  const dir = await Deno.makeTempDir();
  const configPath = `${dir}/config.yaml`;
  const keep = simulatedModel("keep");
  await Deno.writeTextFile(configPath, sharingConfig({ keep }));
  try {
    await using main = await startMain([
      "--config",
      configPath,
      "--data-dir",
      `${dir}/data`,
      "--watch-config",
    ]);
    await main.waitForLine(/watching the config file/);

    await Deno.writeTextFile(
      configPath,
      sharingConfig({ keep, fresh: simulatedModel("fresh") }),
    );
    await main.waitForLine(/config file changed; reloading/);
    const reloaded = await main.waitForLine(/config reloaded/);

    assert.match(reloaded, /added=fresh/);
    main.kill("SIGTERM");
    assert.equal((await main.status).code, 0);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("ProxyServer.reload() runs once more for triggers that arrive during a reload", async () => {
  const text = sharingConfig({ idle: simulatedModel("idle") });
  let reads = 0;
  const server = await startServer(() => {
    reads++;
    return text;
  });
  try {
    reads = 0;

    const results = await Promise.all([
      server.reload(),
      server.reload(),
      server.reload(),
    ]);

    assert.deepEqual(results, [true, true, true]);
    assert.equal(reads, 2);
  } finally {
    await server.shutdown();
  }
});

Deno.test("ProxyServer.reload() applies logLevel at once and says logToStdout needs a restart", async () => {
  const models = { idle: simulatedModel("idle") };
  let text = sharingConfig(models);
  const server = await startServer(() => text);
  try {
    text = sharingConfig(models, "logLevel: debug\nlogToStdout: both\n");

    const reloaded = await server.reload();

    assert.equal(reloaded, true);
    assert.equal(server.logger.level, "debug");
    assert.match(
      server.logs.proxy.text(),
      /\[WARN\] config: logToStdout changed; restart to apply it running=proxy configured=both/,
    );
  } finally {
    await server.shutdown();
  }
});
