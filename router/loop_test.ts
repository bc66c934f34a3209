import assert from "node:assert/strict";
import { Logger } from "../log/mod.ts";
import type { StateChange } from "../process/mod.ts";
import { Channel } from "./channel.ts";
import type { ConfigChange } from "./config_change.ts";
import type { RouterEvent } from "./events.ts";
import { runRouterLoop } from "./loop.ts";
import type { PendingRequest } from "./request.ts";
import type { Scheduler } from "./scheduler.ts";
import type { RouterSnapshot } from "./snapshot.ts";

/** Records each handler call as `name(args)`; `failOn` throws instead. */
class RecordingScheduler implements Scheduler {
  readonly calls: string[] = [];
  failOn = "";

  #record(call: string): void {
    if (call.startsWith(this.failOn) && this.failOn !== "") {
      throw new Error(`handler broke on ${call}`);
    }
    this.calls.push(call);
  }

  onRequestArrived(request: PendingRequest): void {
    this.#record(`arrived(${request.id})`);
  }
  onRequestCancelled(requestId: number): void {
    this.#record(`cancelled(${requestId})`);
  }
  onSwapFinished(swapId: number, model: string, error: Error | null): void {
    this.#record(`swap(${swapId},${model},${error?.message ?? "ok"})`);
  }
  onServeFinished(requestId: number): void {
    this.#record(`served(${requestId})`);
  }
  onStopFinished(stopId: number): void {
    this.#record(`stopped(${stopId})`);
  }
  onUnloadRequested(
    unloadId: number,
    models: readonly string[] | null,
    timeoutMs: number | null,
  ): void {
    this.#record(`unload(${unloadId},${models ?? "all"},${timeoutMs})`);
  }
  onShutdownRequested(
    timeoutMs: number | null,
    maxGraceMs?: number | null,
  ): void {
    this.#record(`shutdown(${timeoutMs},${maxGraceMs})`);
  }
  onTimerFired(key: string): void {
    this.#record(`timer(${key})`);
  }
  onProcessChanged(change: StateChange): void {
    this.#record(`changed(${change.model},${change.to})`);
  }
  onConfigReplaced(change: ConfigChange): void {
    this.#record(`config(${change.generation})`);
  }
  snapshot(): RouterSnapshot {
    throw new Error("Cannot take a snapshot: not used here");
  }
}

const EVERY_KIND: RouterEvent[] = [
  { kind: "requestArrived", request: { id: 1, model: "a" } },
  { kind: "requestCancelled", requestId: 1 },
  { kind: "swapFinished", swapId: 2, model: "a", error: null },
  { kind: "serveFinished", requestId: 3 },
  { kind: "stopFinished", stopId: 4 },
  { kind: "unloadRequested", unloadId: 5, models: ["a"], timeoutMs: null },
  { kind: "shutdownRequested", timeoutMs: 1000, maxGraceMs: null },
  { kind: "timerFired", key: "k" },
  {
    kind: "processChanged",
    change: { model: "a", from: "ready", to: "stopped", at: 0 },
  },
  {
    kind: "configReplaced",
    change: {
      generation: 1,
      settings: { models: {}, priority: {}, maxWaitMs: 0 },
      planner: {
        evictionFor: () => [],
        onSwapCommitted() {},
      },
      replaced: [],
      moved: [],
      removed: [],
    },
  },
];

Deno.test("runRouterLoop() hands every event kind to its handler, in order", async () => {
  const channel = new Channel<RouterEvent>();
  const scheduler = new RecordingScheduler();
  for (const event of EVERY_KIND) channel.send(event);
  channel.close();

  await runRouterLoop(channel, scheduler, new Logger({ write() {} }));

  assert.deepEqual(scheduler.calls, [
    "arrived(1)",
    "cancelled(1)",
    "swap(2,a,ok)",
    "served(3)",
    "stopped(4)",
    "unload(5,a,null)",
    "shutdown(1000,null)",
    "timer(k)",
    "changed(a,stopped)",
    "config(1)",
  ]);
});

Deno.test("runRouterLoop() logs a failing handler and goes on", async () => {
  const channel = new Channel<RouterEvent>();
  const scheduler = new RecordingScheduler();
  scheduler.failOn = "served";
  const lines: string[] = [];
  channel.send({ kind: "serveFinished", requestId: 9 });
  channel.send({ kind: "stopFinished", stopId: 1 });
  channel.close();

  await runRouterLoop(
    channel,
    scheduler,
    new Logger({ write: (l) => lines.push(l) }),
  );

  assert.deepEqual(scheduler.calls, ["stopped(1)"]);
  assert.equal(lines.length, 1);
  assert.match(
    lines[0] ?? "",
    /^\[ERROR\] event handler failed event=serveFinished/,
  );
});

Deno.test("runRouterLoop() ends when the channel closes", async () => {
  const channel = new Channel<RouterEvent>();
  const scheduler = new RecordingScheduler();
  const loop = runRouterLoop(channel, scheduler, new Logger({ write() {} }));

  channel.send({ kind: "timerFired", key: "x" });
  channel.close();
  await loop;

  assert.deepEqual(scheduler.calls, ["timer(x)"]);
});
