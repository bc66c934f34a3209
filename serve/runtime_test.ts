import assert from "node:assert/strict";
import type { Config } from "../config/mod.ts";
import { LogHub, silentLogger } from "../log/mod.ts";
import { FakeClock } from "../tests/fake_clock.ts";
import { nextState } from "../tests/process_fixtures.ts";
import {
  routerTestConfig,
  type RouterTestModel,
} from "../tests/router_config.ts";
import {
  buildRuntime,
  reconfigureRuntime,
  type Runtime,
  type RuntimeDeps,
} from "./runtime.ts";

function deps(clock = new FakeClock()): RuntimeDeps {
  return { logs: new LogHub(), logger: silentLogger, registry: null, clock };
}

function config(models: Record<string, RouterTestModel>): Config {
  return routerTestConfig(models, { swap: false });
}

async function close(runtime: Runtime): Promise<void> {
  await runtime.router.shutdown(0);
}

Deno.test("reconfigureRuntime() keeps the process of a model whose child settings are unchanged", async () => {
  const d = deps();
  const first = buildRuntime(config({ a: {}, b: { cmd: "sleep 1" } }), d);

  const next = reconfigureRuntime(
    first,
    config({ a: { ttl: 30, concurrencyLimit: 2 }, b: { cmd: "sleep 2" } }),
    d,
  );
  const result = await next.applied;

  assert.equal(next.runtime.processes.get("a"), first.processes.get("a"));
  assert.notEqual(next.runtime.processes.get("b"), first.processes.get("b"));
  assert.equal(next.runtime.router, first.router);
  assert.deepEqual(result.kept, ["a"]);
  assert.deepEqual(result.replaced, ["b"]);
  await close(next.runtime);
});

Deno.test("reconfigureRuntime() throws and changes nothing when the planner cannot be built", async () => {
  const d = deps();
  const first = buildRuntime(config({ a: {} }), d);
  const broken: Config = {
    ...config({ a: {} }),
    routing: {
      ...first.config.routing,
      router: {
        use: "group",
        groups: {
          g: { swap: true, exclusive: true, persistent: false, members: ["x"] },
        },
      },
    },
  };

  assert.throws(() => reconfigureRuntime(first, broken, d));

  const ticket = await first.router.request("a", {
    signal: new AbortController().signal,
  });
  (await ticket.lease).release();
  await close(first);
});

Deno.test("reconfigureRuntime() gives a kept process its new ttl", async () => {
  const clock = new FakeClock();
  const d = deps(clock);
  const model = { cmd: "sleep 60", checkEndpoint: "none", unloadTimeout: 1 };
  const first = buildRuntime(config({ a: model }), d);
  const process = first.processes.get("a")!;
  await process.ensureReady();

  const next = reconfigureRuntime(
    first,
    config({ a: { ...model, ttl: 5 } }),
    d,
  );
  await next.applied;
  const stopping = nextState(process, "stopping");
  clock.tick(5_000);

  await stopping;
  assert.equal(next.runtime.processes.get("a"), process);
  await close(next.runtime);
});
