import assert from "node:assert/strict";
import { Logger } from "../log/mod.ts";
import type { ProcessState } from "../process/mod.ts";
import {
  routerTestConfig,
  type RouterTestModel,
} from "../tests/router_config.ts";
import { FakeProcess, reaches } from "../tests/router_fake_process.ts";
import {
  exclusivePlanner,
  sharingPlanner,
} from "../tests/router_scheduler_rig.ts";
import { RouterError } from "./errors.ts";
import { Router } from "./router.ts";

type Models = Record<string, RouterTestModel & { state?: ProcessState }>;

/** Processes for `models`, reusing those in `keep` by model. */
function processesFor(
  models: Models,
  keep: ReadonlyMap<string, FakeProcess> = new Map(),
): Map<string, FakeProcess> {
  const processes = new Map<string, FakeProcess>();
  for (const [id, model] of Object.entries(models)) {
    processes.set(
      id,
      keep.get(id) ?? new FakeProcess(id, { state: model.state ?? "stopped" }),
    );
  }
  return processes;
}

function configFor(models: Models) {
  const settings: Record<string, RouterTestModel> = {};
  for (const [id, { state: _state, ...model }] of Object.entries(models)) {
    settings[id] = model;
  }
  return routerTestConfig(settings);
}

function startRouter(models: Models) {
  const processes = processesFor(models);
  const logLines: string[] = [];
  const router = new Router({
    config: configFor(models),
    processes,
    planner: exclusivePlanner(),
    logger: new Logger({ write: (line) => logLines.push(line) }, {
      level: "debug",
    }),
  });
  router.start();
  return { router, processes, logLines };
}

function signal(): AbortSignal {
  return new AbortController().signal;
}

async function refusal(promise: Promise<unknown>): Promise<RouterError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof RouterError, `not a RouterError: ${error}`);
    return error;
  }
  assert.fail("expected a rejection");
}

Deno.test("Router.reconfigure() keeps a process passed again and reports what changed", async () => {
  const before: Models = {
    a: { state: "ready" },
    b: { state: "ready" },
    c: {},
  };
  const { router, processes } = startRouter(before);
  const after: Models = { a: {}, b: { cmd: "other" }, d: {} };
  const next = processesFor(after, new Map([["a", processes.get("a")!]]));

  const result = await router.reconfigure({
    config: configFor(after),
    processes: next,
    planner: sharingPlanner(),
  });

  assert.deepEqual(result, {
    kept: ["a"],
    replaced: ["b"],
    wereRunning: ["b"],
    removed: ["c"],
    added: ["d"],
  });
  await reaches(processes.get("b")!, "shutdown");
  await reaches(processes.get("c")!, "shutdown");
  assert.equal(processes.get("a")!.state, "ready");
  await router.shutdown(0);
});

Deno.test("Router.reconfigure() lets a granted request finish on the old process before the new one starts", async () => {
  const { router, processes } = startRouter({ a: { state: "ready" } });
  const old = processes.get("a")!;
  const lease = await (await router.request("a", { signal: signal() })).lease;
  const next = processesFor({ a: {} });

  await router.reconfigure({
    config: configFor({ a: { cmd: "new" } }),
    processes: next,
    planner: exclusivePlanner(),
  });
  const waiting = await router.request("a", { signal: signal() });

  assert.equal(old.state, "ready");
  assert.equal(old.inFlight, 1);
  assert.equal(next.get("a")!.starts, 0);

  lease.release();
  await reaches(old, "shutdown");
  await reaches(next.get("a")!, "starting");
  next.get("a")!.finishStart();
  (await waiting.lease).release();
  assert.equal(old.stopCalls.length, 1);
  await router.shutdown(0);
});

Deno.test("Router.view() refuses a model that moved after the view was taken", async () => {
  const { router } = startRouter({ a: { state: "ready" } });
  const old = router.view();
  const moved = { a: { proxy: "http://127.0.0.1:2" } };
  const next = processesFor(moved);

  await router.reconfigure({
    config: configFor(moved),
    processes: next,
    planner: exclusivePlanner(),
  });
  const error = await refusal(old.request("a", { signal: signal() }));
  const ticket = await router.view().request("a", { signal: signal() });

  assert.equal(error.status, 503);
  assert.equal(error.code, "model_reconfigured");
  await reaches(next.get("a")!, "starting");
  next.get("a")!.finishStart();
  (await ticket.lease).release();
  await router.shutdown(0);
});

Deno.test("Router.reconfigure() throws when a model has no process", () => {
  const { router } = startRouter({ a: {} });

  assert.throws(
    () =>
      router.reconfigure({
        config: configFor({ a: {}, b: {} }),
        processes: processesFor({ a: {} }),
        planner: exclusivePlanner(),
      }),
    /Cannot reconfigure the router: no process for model "b"/,
  );
  return router.shutdown(0);
});

Deno.test("Router.reconfigure() is refused once the router shuts down", async () => {
  const { router } = startRouter({ a: {} });
  const down = router.shutdown(0);

  await assert.rejects(
    router.reconfigure({
      config: configFor({ a: {} }),
      processes: processesFor({ a: {} }),
      planner: exclusivePlanner(),
    }),
    /Cannot reconfigure the router: it is shutting down/,
  );
  await down;
});

Deno.test("Router.shutdown() also shuts down a replaced process that still serves", async () => {
  const { router, processes } = startRouter({ a: { state: "ready" } });
  const old = processes.get("a")!;
  const lease = await (await router.request("a", { signal: signal() })).lease;
  await router.reconfigure({
    config: configFor({ a: { cmd: "new" } }),
    processes: processesFor({ a: {} }),
    planner: exclusivePlanner(),
  });

  await router.shutdown(0, { maxGraceMs: 3_000 });

  assert.equal(old.state, "shutdown");
  assert.deepEqual(old.stopCalls, [{ graceMs: 3_000, shutdown: true }]);
  lease.release();
});
