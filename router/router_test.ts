import assert from "node:assert/strict";
import { Cancelled, type Clock, systemClock } from "../lib/mod.ts";
import { Logger } from "../log/mod.ts";
import type { ProcessState } from "../process/mod.ts";
import { FakeClock } from "../tests/fake_clock.ts";
import {
  routerTestConfig,
  type RouterTestModel,
} from "../tests/router_config.ts";
import { FakeProcess, reaches } from "../tests/router_fake_process.ts";
import {
  exclusivePlanner,
  type FakePlanner,
  sharingPlanner,
} from "../tests/router_scheduler_rig.ts";
import { RouterError } from "./errors.ts";
import type { RouterNotice } from "./notice.ts";
import { Router } from "./router.ts";

interface TestModel {
  state?: ProcessState;
  concurrencyLimit?: number;
  unloadTimeout?: number;
  autoStop?: boolean;
}

interface Setup extends AsyncDisposable {
  router: Router;
  process(model: string): FakeProcess;
  logLines: string[];
  notices: RouterNotice[];
  /** Resolves once the loop handled every event posted before it. */
  settled(): Promise<void>;
}

function setup(
  models: Record<string, TestModel>,
  options: { planner?: FakePlanner; maxWait?: number; clock?: Clock } = {},
): Setup {
  const processes = new Map<string, FakeProcess>();
  const configured: Record<string, RouterTestModel> = {};
  for (const [id, model] of Object.entries(models)) {
    configured[id] = {
      concurrencyLimit: model.concurrencyLimit ?? 10,
      unloadTimeout: model.unloadTimeout ?? 10,
    };
    processes.set(
      id,
      new FakeProcess(id, {
        state: model.state ?? "stopped",
        autoStop: model.autoStop ?? true,
      }),
    );
  }
  const logLines: string[] = [];
  const router = new Router({
    config: routerTestConfig(configured, { maxWait: options.maxWait ?? 0 }),
    processes,
    planner: options.planner ?? exclusivePlanner(),
    logger: new Logger({ write: (line) => logLines.push(line) }, {
      level: "debug",
    }),
    clock: options.clock ?? systemClock,
  });
  const notices: RouterNotice[] = [];
  router.onNotice((notice) => notices.push(notice));
  router.start();

  return {
    router,
    logLines,
    notices,
    process(model) {
      const process = processes.get(model);
      assert.ok(process, `no process "${model}"`);
      return process;
    },
    settled: () => router.unload([]),
    async [Symbol.asyncDispose]() {
      for (const process of processes.values()) process.autoStop = true;
      for (const process of processes.values()) {
        if (process.stopping) process.finishStop();
      }
      await router.shutdown(0);
    },
  };
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

Deno.test("Router.request() grants a ready model during admission", async () => {
  await using t = setup({ a: { state: "ready" } });

  const ticket = await t.router.request("a", { signal: signal() });
  const lease = await ticket.lease;

  assert.equal(ticket.immediate, true);
  assert.equal(lease.model, "a");
  assert.equal(lease.priority, 0);
  lease.release();
});

Deno.test("Router.request() counts the grant on the process before the lease is seen", async () => {
  await using t = setup({ a: { state: "ready" } });

  const ticket = await t.router.request("a", { signal: signal() });

  assert.equal(t.process("a").inFlight, 1);
  (await ticket.lease).release();
  assert.equal(t.process("a").inFlight, 0);
});

Deno.test("Router.request() loads a stopped model, then resolves the lease", async () => {
  await using t = setup({ a: {} });

  const ticket = await t.router.request("a", { signal: signal() });
  assert.equal(ticket.immediate, false);
  await reaches(t.process("a"), "starting");
  t.process("a").finishStart();
  const lease = await ticket.lease;

  assert.equal(lease.model, "a");
  assert.equal(t.process("a").starts, 1);
  lease.release();
});

Deno.test("Router.request() rejects an unknown model with 404", async () => {
  await using t = setup({ a: {} });

  const error = await refusal(t.router.request("zzz", { signal: signal() }));

  assert.equal(error.status, 404);
});

Deno.test("Router.request() rejects over the concurrency limit with 429", async () => {
  await using t = setup({ a: { state: "ready", concurrencyLimit: 1 } });
  const first = await t.router.request("a", { signal: signal() });

  const error = await refusal(t.router.request("a", { signal: signal() }));

  assert.equal(error.status, 429);
  assert.equal(error.retryAfter, 1);
  (await first.lease).release();
});

Deno.test("Router.request() rejects a signal that already aborted", async () => {
  await using t = setup({ a: { state: "ready" } });
  const controller = new AbortController();
  controller.abort();

  const error = await refusal(
    t.router.request("a", { signal: controller.signal }),
  );

  assert.equal(error.status, 499);
  assert.equal(error.code, "client_gone");
});

Deno.test("Router rejects the lease of a client that leaves during a load, and serves the rest", async () => {
  await using t = setup({ a: {} });
  const leaving = new AbortController();
  const first = await t.router.request("a", { signal: leaving.signal });
  const second = await t.router.request("a", { signal: signal() });
  await reaches(t.process("a"), "starting");

  leaving.abort();
  const error = await refusal(first.lease);
  await t.settled();

  assert.equal(error.status, 499);
  assert.match(error.message, /cancelled: the client went away$/);
  assert.deepEqual(t.router.snapshot().reserved, { a: 1 });
  t.process("a").finishStart();
  (await second.lease).release();
});

Deno.test("Router tells a request cancelled on purpose why it was refused", async () => {
  await using t = setup({ a: {} });
  const cancelling = new AbortController();
  const ticket = await t.router.request("a", { signal: cancelling.signal });
  await reaches(t.process("a"), "starting");

  cancelling.abort(new Cancelled("cancelled through the API"));
  const error = await refusal(ticket.lease);

  assert.equal(error.status, 499);
  assert.equal(
    error.message,
    'Request for "a" cancelled: cancelled through the API',
  );
});

Deno.test("Router ignores an abort after the grant", async () => {
  await using t = setup({ a: { state: "ready" } });
  const controller = new AbortController();
  const ticket = await t.router.request("a", { signal: controller.signal });
  const lease = await ticket.lease;

  controller.abort();
  await t.settled();

  assert.deepEqual(t.router.snapshot().inFlight, { a: 1 });
  lease.release();
  await t.settled();
  assert.deepEqual(t.router.snapshot().inFlight, {});
});

Deno.test("Lease.release() is idempotent", async () => {
  await using t = setup({ a: { state: "ready" } });
  const lease = await (await t.router.request("a", { signal: signal() })).lease;

  lease.release();
  lease.release();
  await t.settled();

  assert.equal(t.process("a").inFlight, 0);
  assert.deepEqual(t.router.snapshot().inFlight, {});
  assert.deepEqual(t.router.snapshot().reserved, {});
});

Deno.test("Router rejects every waiter with 500 when the load fails", async () => {
  await using t = setup({ a: {} });
  const ticket = await t.router.request("a", { signal: signal() });
  await reaches(t.process("a"), "starting");

  t.process("a").failStart("upstream exited with code 3");
  const error = await refusal(ticket.lease);

  assert.equal(error.status, 500);
  assert.equal(error.message, 'Cannot load "a": upstream exited with code 3');
});

Deno.test("Router publishes queue positions to queued callers", async () => {
  await using t = setup({ a: {}, b: {}, c: {} });
  const positions: Record<string, (number | null)[]> = { b: [], c: [] };
  await t.router.request("a", { signal: signal() });
  const leaving = new AbortController();
  await t.router.request("b", {
    signal: leaving.signal,
    onQueuePosition: (p) => positions.b?.push(p),
  });
  const c = await t.router.request("c", {
    signal: signal(),
    onQueuePosition: (p) => positions.c?.push(p),
  });

  leaving.abort();
  await t.settled();

  assert.deepEqual(positions, { b: [1], c: [2, 1] });
  assert.equal(c.immediate, false);
});

Deno.test("Router tells a queued caller when it leaves the queue for its load", async () => {
  await using t = setup({ a: {}, b: {} });
  const positions: (number | null)[] = [];
  const a = await t.router.request("a", { signal: signal() });
  const b = await t.router.request("b", {
    signal: signal(),
    onQueuePosition: (p) => positions.push(p),
  });
  await reaches(t.process("a"), "starting");

  t.process("a").finishStart();
  (await a.lease).release();
  await reaches(t.process("b"), "starting");

  assert.deepEqual(positions, [1, null]);
  t.process("b").finishStart();
  (await b.lease).release();
});

Deno.test("Router evicts with the evicted model's own unload timeout", async () => {
  await using t = setup({ a: { state: "ready", unloadTimeout: 3 }, b: {} });

  await t.router.request("b", { signal: signal() });
  await reaches(t.process("b"), "starting");

  assert.deepEqual(t.process("a").stopCalls, [{
    graceMs: 3_000,
    shutdown: false,
  }]);
});

Deno.test("Router stops an abandoned load so the queued request behind it can go", async () => {
  await using t = setup({ a: {}, b: {} });
  const leaving = new AbortController();
  await t.router.request("a", { signal: leaving.signal });
  const b = await t.router.request("b", { signal: signal() });
  await reaches(t.process("a"), "starting");

  leaving.abort();
  await reaches(t.process("b"), "starting");

  assert.equal(t.process("a").state, "stopped");
  t.process("b").finishStart();
  (await b.lease).release();
});

Deno.test("Router drains when a busy model stops by itself", async () => {
  await using t = setup({ a: { state: "ready" }, b: {} });
  const a = await (await t.router.request("a", { signal: signal() })).lease;
  await t.router.request("b", { signal: signal() });
  await t.settled();
  assert.equal(t.process("b").starts, 0);

  t.process("a").crash();
  await reaches(t.process("b"), "starting");

  a.release();
});

Deno.test("Router.unload() resolves once the stop finishes and serves others meanwhile", async () => {
  await using t = setup({
    a: { state: "ready", autoStop: false },
    b: { state: "ready" },
  }, { planner: sharingPlanner() });
  let unloaded = false;

  const unloading = t.router.unload(["a"]).then(() => unloaded = true);
  await reaches(t.process("a"), "stopping");
  const b = await t.router.request("b", { signal: signal() });

  assert.equal(b.immediate, true);
  assert.equal(unloaded, false);

  t.process("a").finishStop();
  await unloading;
  (await b.lease).release();
});

Deno.test("Router.unload() refuses the waiters of the unloaded model with 500", async () => {
  await using t = setup({ a: {} });
  const ticket = await t.router.request("a", { signal: signal() });
  await reaches(t.process("a"), "starting");

  await t.router.unload(["a"]);
  const error = await refusal(ticket.lease);

  assert.equal(error.status, 500);
  assert.equal(error.code, "model_unloaded");
  assert.equal(t.process("a").state, "stopped");
});

Deno.test("Router.unload() with a timeout uses it as every stop's grace", async () => {
  await using t = setup({ a: { state: "ready", unloadTimeout: 45 } });

  await t.router.unload(undefined, { timeoutMs: 1_000 });

  assert.deepEqual(t.process("a").stopCalls, [{
    graceMs: 1_000,
    shutdown: false,
  }]);
});

Deno.test("Router.shutdown() refuses waiters and new requests with 503 and shuts processes down", async () => {
  await using t = setup({ a: {}, b: { state: "ready", unloadTimeout: 7 } }, {
    planner: sharingPlanner(),
  });
  const ticket = await t.router.request("a", { signal: signal() });
  await reaches(t.process("a"), "starting");

  await t.router.shutdown();
  const waiting = await refusal(ticket.lease);
  const late = await refusal(t.router.request("a", { signal: signal() }));

  assert.equal(waiting.status, 503);
  assert.equal(late.status, 503);
  assert.equal(t.process("a").state, "shutdown");
  assert.deepEqual(t.process("b").stopCalls, [{
    graceMs: 7_000,
    shutdown: true,
  }]);
});

Deno.test("Router.shutdown() twice returns the first call's promise", async () => {
  await using t = setup({ a: { state: "ready", autoStop: false } });

  const first = t.router.shutdown(1_000);
  const second = t.router.shutdown(5_000);
  await reaches(t.process("a"), "stopping");
  t.process("a").finishStop();
  await Promise.all([first, second]);

  assert.equal(first, second);
  assert.deepEqual(t.process("a").stopCalls.length, 1);
});

Deno.test("Router.unload() after shutdown resolves", async () => {
  await using t = setup({ a: { state: "ready" } });
  await t.router.shutdown();

  await t.router.unload(["a"]);

  assert.equal(t.process("a").state, "shutdown");
});

Deno.test("Router.onNotice() reports swaps and grants", async () => {
  await using t = setup({ a: {} });
  const ticket = await t.router.request("a", { signal: signal() });
  await reaches(t.process("a"), "starting");

  t.process("a").finishStart();
  (await ticket.lease).release();

  assert.deepEqual(t.notices.map((n) => n.kind), [
    "swapStarted",
    "swapFinished",
    "granted",
  ]);
});

Deno.test("Router logs through the router component", async () => {
  await using t = setup({ a: {} });
  const ticket = await t.router.request("a", { signal: signal() });
  await reaches(t.process("a"), "starting");

  t.process("a").finishStart();
  (await ticket.lease).release();

  assert.ok(
    t.logLines.includes('[INFO] router: swap started model=a evict=""\n'),
  );
});

Deno.test("Router with maxWait stops fast-path grants for a model a queued request waits on", async () => {
  const clock = new FakeClock();
  await using t = setup({ a: { state: "ready" }, b: {} }, {
    maxWait: 60,
    clock,
  });
  const first = await (await t.router.request("a", { signal: signal() }))
    .lease;
  const b = await t.router.request("b", { signal: signal() });
  await t.settled();

  clock.tick(60_000);
  await t.settled();
  const late = await t.router.request("a", { signal: signal() });
  first.release();
  await reaches(t.process("b"), "starting");

  assert.equal(late.immediate, false);
  t.process("b").finishStart();
  (await b.lease).release();
  await reaches(t.process("a"), "starting");
  t.process("a").finishStart();
  (await late.lease).release();
});

Deno.test("Router.shutdown() cancels maxWait timers", async () => {
  await using t = setup({ a: { state: "ready" }, b: {} }, { maxWait: 3_600 });
  const lease = await (await t.router.request("a", { signal: signal() })).lease;
  await t.router.request("b", { signal: signal() });
  await t.settled();

  await t.router.shutdown();

  lease.release();
});

Deno.test("Router skips the load of a swap dropped while its evictions stop", async () => {
  await using t = setup({
    a: { state: "ready", autoStop: false },
    b: {},
    c: {},
  });
  const leaving = new AbortController();
  await t.router.request("b", { signal: leaving.signal });
  await reaches(t.process("a"), "stopping");
  const c = await t.router.request("c", { signal: signal() });
  await t.settled();

  leaving.abort();
  await t.settled();
  t.process("a").finishStop();
  await reaches(t.process("c"), "starting");
  t.process("c").finishStart();
  (await c.lease).release();

  assert.equal(t.process("b").starts, 0);
  assert.equal(t.process("c").starts, 1);
});

Deno.test("new Router() refuses a config model without a process", () => {
  assert.throws(
    () =>
      new Router({
        config: routerTestConfig({ a: {}, b: {} }),
        processes: new Map([["a", new FakeProcess("a")]]),
        planner: exclusivePlanner(),
        logger: new Logger({ write() {} }),
      }),
    /Cannot create the router: no process for model "b"/,
  );
});

Deno.test("Router drops a request whose client left before admission", async () => {
  await using t = setup({ a: {} });
  const controller = new AbortController();

  const pending = t.router.request("a", { signal: controller.signal });
  controller.abort();
  const error = await refusal(pending);
  await t.settled();

  assert.equal(error.status, 499);
  assert.equal(t.process("a").starts, 0);
  assert.deepEqual(t.router.snapshot().reserved, {});
});
