/**
 * The router over real `ModelProcess` children running the simulator:
 * collation, an idle unload racing a request, and an unload that must not
 * hold up another model's stream.
 */
import assert from "node:assert/strict";
import { selfCommand, shellQuote } from "../lib/mod.ts";
import { LogBuffer, Logger } from "../log/mod.ts";
import { createPlanner } from "../planners/mod.ts";
import {
  ModelProcess,
  type ModelProcessHandle,
  type ProcessState,
} from "../process/mod.ts";
import { Router } from "../router/mod.ts";
import { routerTestConfig, type RouterTestModel } from "./router_config.ts";

/** How long any single test may take before its requests are abandoned. */
const TEST_DEADLINE_MS = 60_000;

interface SimulatedModel {
  /** Flags after `simulate --port N`. */
  args?: string[];
  ttl?: number;
  unloadTimeout?: number;
  cmdStop?: string;
}

interface Harness extends AsyncDisposable {
  router: Router;
  process(model: string): ModelProcessHandle;
  url(model: string): string;
  /** Models in the order their processes began to start. */
  starts: string[];
  /** Aborts when the test runs out of time, so nothing hangs forever. */
  signal: AbortSignal;
  logs: LogBuffer;
}

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

function harness(
  models: Record<string, SimulatedModel>,
  options: { swap?: boolean } = {},
): Harness {
  const urls = new Map<string, string>();
  const settings: Record<string, RouterTestModel> = {};
  for (const [id, model] of Object.entries(models)) {
    const port = freePort();
    const argv = [
      ...selfCommand(),
      "simulate",
      "--port",
      String(port),
      "--model",
      id,
      ...model.args ?? [],
    ];
    urls.set(id, `http://127.0.0.1:${port}`);
    settings[id] = {
      cmd: shellQuote(argv),
      cmdStop: model.cmdStop ?? "",
      proxy: `http://127.0.0.1:${port}`,
      checkEndpoint: "/health",
      ttl: model.ttl ?? 0,
      unloadTimeout: model.unloadTimeout ?? 5,
      healthCheckTimeout: 30,
    };
  }
  const config = routerTestConfig(settings, { swap: options.swap ?? true });

  const logs = new LogBuffer();
  const logger = new Logger(logs, { level: "debug" });
  const processes = new Map<string, ModelProcess>();
  const starts: string[] = [];
  for (const [id, model] of Object.entries(config.models)) {
    const process = new ModelProcess({
      config: model,
      logger,
      logs: new LogBuffer(),
    });
    process.onStateChange((change) => {
      if (change.to === "starting") starts.push(change.model);
    });
    processes.set(id, process);
  }

  const router = new Router({
    config,
    processes,
    planner: createPlanner(config.routing.router, new Set(processes.keys())),
    logger,
  });
  router.start();

  const deadline = new AbortController();
  const timer = setTimeout(
    () => deadline.abort(new Error("Test ran out of time")),
    TEST_DEADLINE_MS,
  );

  return {
    router,
    starts,
    logs,
    signal: deadline.signal,
    process(model) {
      const process = processes.get(model);
      assert.ok(process, `no process "${model}"`);
      return process;
    },
    url(model) {
      const url = urls.get(model);
      assert.ok(url, `no url for "${model}"`);
      return url;
    },
    async [Symbol.asyncDispose]() {
      clearTimeout(timer);
      await router.shutdown(2_000);
    },
  };
}

/** Resolves when `process` next moves to `state`. */
function reaches(
  process: ModelProcessHandle,
  state: ProcessState,
): Promise<void> {
  return new Promise((resolve) => {
    const stop = process.onStateChange((change) => {
      if (change.to !== state) return;
      stop();
      resolve();
    });
  });
}

async function chat(
  url: string,
  model: string,
  stream = false,
): Promise<string> {
  const response = await fetch(`${url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      model,
      stream,
      messages: [{ role: "user", content: "hello" }],
    }),
  });
  const text = await response.text();
  assert.equal(response.status, 200, text);
  return text;
}

Deno.test("Router serves A B C A B C as A A B B C C with three loads", async () => {
  await using h = harness({
    a: { args: ["--load-ms", "50"] },
    b: { args: ["--load-ms", "50"] },
    c: { args: ["--load-ms", "50"] },
  });
  const served: string[] = [];

  const order = ["a", "b", "c", "a", "b", "c"];
  const tickets = order.map((model) =>
    h.router.request(model, { signal: h.signal })
  );
  await Promise.all(tickets.map(async (pending) => {
    const lease = await (await pending).lease;
    served.push(lease.model);
    try {
      await chat(h.url(lease.model), lease.model);
    } finally {
      lease.release();
    }
  }));

  assert.deepEqual(h.starts, ["a", "b", "c"]);
  assert.deepEqual(served, ["a", "a", "b", "b", "c", "c"]);
});

Deno.test("Router serves a request that races an idle unload", async () => {
  await using h = harness({
    a: { ttl: 1, args: ["--stop-ms", "300"] },
  });
  const first = await (await h.router.request("a", { signal: h.signal }))
    .lease;
  await chat(h.url("a"), "a");
  const idle = reaches(h.process("a"), "stopping");
  first.release();
  await idle;

  const ticket = await h.router.request("a", { signal: h.signal });
  const lease = await ticket.lease;

  assert.equal(ticket.immediate, false);
  assert.equal(h.process("a").state, "ready");
  await chat(h.url("a"), "a");
  lease.release();
  assert.deepEqual(h.starts, ["a", "a"]);
});

Deno.test("Router keeps streaming one model while another is unloaded", async () => {
  const gate = await Deno.makeTempDir({ prefix: "router_e2e_" });
  try {
    const open = `${gate}/open`;
    const waitThenStop = `while [ ! -e ${open} ]; do sleep 0.02; done; ` +
      "kill -TERM ${PID}";
    await using h = harness({
      a: { cmdStop: shellQuote(["sh", "-c", waitThenStop]), unloadTimeout: 30 },
      b: { args: ["--tokens", "20", "--token-ms", "10"] },
    }, { swap: false });
    for (const model of ["a", "b"]) {
      const lease = await (await h.router.request(model, { signal: h.signal }))
        .lease;
      lease.release();
    }
    let unloaded = false;
    const streaming = await (await h.router.request("b", {
      signal: h.signal,
    })).lease;

    const unloading = h.router.unload(["a"]).then(() => unloaded = true);
    await reaches(h.process("a"), "stopping");
    const body = await chat(h.url("b"), "b", true);
    const during = await h.router.request("b", { signal: h.signal });
    streaming.release();

    assert.match(body, /data: \[DONE\]/);
    assert.equal(during.immediate, true, "b is served during the unload");
    assert.equal(unloaded, false, "a is still stopping");
    (await during.lease).release();
    await Deno.writeTextFile(open, "");
    await unloading;
    assert.equal(h.process("a").state, "stopped");
  } finally {
    await Deno.remove(gate, { recursive: true });
  }
});
