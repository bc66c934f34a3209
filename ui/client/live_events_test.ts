import assert from "node:assert/strict";
import {
  decodeEnvelope,
  LiveEvents,
  type LiveStatus,
  retryDelay,
} from "./live_events.js";

/** A fetch whose answers the test scripts, one per call. */
class ScriptedFetch {
  readonly calls: { url: string; init: RequestInit }[] = [];
  readonly #answers: Array<(signal: AbortSignal) => Response> = [];
  #waiting: Array<() => void> = [];

  /** Queues an answer; an answer that throws is a network failure. */
  answer(make: (signal: AbortSignal) => Response): void {
    this.#answers.push(make);
  }

  readonly fetch = (url: string, init: RequestInit): Promise<Response> => {
    this.calls.push({ url, init });
    for (const wake of this.#waiting.splice(0)) wake();
    const make = this.#answers.shift();
    if (!make) return Promise.reject(new TypeError("no scripted answer"));
    try {
      return Promise.resolve(make(init.signal!));
    } catch (error) {
      return Promise.reject(error);
    }
  };

  /** Resolves once `count` calls were made. */
  async called(count: number): Promise<void> {
    while (this.calls.length < count) {
      await new Promise<void>((resolve) => this.#waiting.push(resolve));
    }
  }
}

/** Timers that only fire when the test says so. */
class ManualTimers {
  readonly delays: number[] = [];
  #pending: Array<{ run: () => void; cleared: boolean }> = [];

  readonly setTimer = (run: () => void, ms: number): unknown => {
    this.delays.push(ms);
    const timer = { run, cleared: false };
    this.#pending.push(timer);
    return timer;
  };

  readonly clearTimer = (handle: unknown): void => {
    (handle as { cleared: boolean }).cleared = true;
  };

  fireAll(): void {
    for (const timer of this.#pending.splice(0)) {
      if (!timer.cleared) timer.run();
    }
  }
}

/** An SSE body the test writes to; it errors when the fetch is aborted. */
function liveBody(signal: AbortSignal) {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const body = new ReadableStream<Uint8Array>({
    start(c) {
      controller = c;
    },
  });
  signal.addEventListener("abort", () => controller.error(signal.reason));
  const encoder = new TextEncoder();
  return {
    response: new Response(body, {
      headers: { "content-type": "text/event-stream" },
    }),
    send(type: string, data: unknown) {
      const envelope = JSON.stringify({ type, data: JSON.stringify(data) });
      controller.enqueue(encoder.encode(`event:message\ndata:${envelope}\n\n`));
    },
    close() {
      controller.close();
    },
  };
}

function statusReached(events: LiveEvents, wanted: LiveStatus): Promise<void> {
  return new Promise((resolve) => {
    const off = events.onStatus((status) => {
      if (status !== wanted) return;
      queueMicrotask(() => off());
      resolve();
    });
  });
}

function fail(): Response {
  throw new TypeError("connection refused");
}

Deno.test("retryDelay() starts at one second and doubles up to five", () => {
  const delays = [1, 2, 3, 4, 5].map(retryDelay);

  assert.deepEqual(delays, [1000, 2000, 4000, 5000, 5000]);
});

Deno.test("decodeEnvelope() parses the double-encoded data string", () => {
  const text = JSON.stringify({
    type: "queue",
    data: JSON.stringify({ depth: 1, entries: [] }),
  });

  assert.deepEqual(decodeEnvelope(text), {
    type: "queue",
    data: { depth: 1, entries: [] },
  });
});

Deno.test("decodeEnvelope() returns null for text that is no envelope", () => {
  assert.equal(decodeEnvelope("not json"), null);
  assert.equal(decodeEnvelope('{"data":"1"}'), null);
  assert.equal(decodeEnvelope('{"type":"x","data":"{broken"}'), null);
});

Deno.test("LiveEvents sends the key headers, then delivers a reset and the decoded messages", async () => {
  const script = new ScriptedFetch();
  let body!: ReturnType<typeof liveBody>;
  script.answer((signal) => (body = liveBody(signal)).response);
  const events = new LiveEvents({
    fetch: script.fetch,
    headers: () => ({ Authorization: "Bearer k1" }),
  });
  const seen: string[] = [];
  events.on("reset", () => seen.push("reset"));
  events.on("modelStatus", (data) => seen.push(`models:${data.length}`));
  const opened = statusReached(events, "open");

  events.start();
  await opened;
  const got = new Promise<void>((resolve) => events.on("*", () => resolve()));
  body.send("modelStatus", [{ id: "a" }, { id: "b" }]);
  await got;
  events.stop();

  assert.deepEqual(seen, ["reset", "models:2"]);
  const headers = script.calls[0]!.init.headers as Record<string, string>;
  assert.equal(headers["Authorization"], "Bearer k1");
  assert.equal(script.calls[0]!.url, "/api/events");
  assert.equal(script.calls[0]!.init.credentials, "omit");
});

Deno.test("LiveEvents waits 1, 2, 4 then 5 seconds between failed attempts", async () => {
  const script = new ScriptedFetch();
  const timers = new ManualTimers();
  for (let i = 0; i < 5; i++) script.answer(fail);
  const events = new LiveEvents({
    fetch: script.fetch,
    headers: () => ({}),
    setTimer: timers.setTimer,
    clearTimer: timers.clearTimer,
  });

  events.start();
  for (let attempt = 2; attempt <= 5; attempt++) {
    await statusReached(events, "retrying");
    while (timers.delays.length < attempt - 1) await Promise.resolve();
    timers.fireAll();
    await script.called(attempt);
  }
  events.stop();

  assert.deepEqual(timers.delays, [1000, 2000, 4000, 5000]);
});

Deno.test("LiveEvents starts again from one second after a stream had opened", async () => {
  const script = new ScriptedFetch();
  const timers = new ManualTimers();
  script.answer(fail);
  let body!: ReturnType<typeof liveBody>;
  script.answer((signal) => (body = liveBody(signal)).response);
  const events = new LiveEvents({
    fetch: script.fetch,
    headers: () => ({}),
    setTimer: timers.setTimer,
    clearTimer: timers.clearTimer,
  });

  events.start();
  await statusReached(events, "retrying");
  timers.fireAll();
  await statusReached(events, "open");
  const retrying = statusReached(events, "retrying");
  body.close();
  await retrying;
  events.stop();

  assert.deepEqual(timers.delays, [1000, 1000]);
});

Deno.test("LiveEvents stops at a 401 until restart() brings the new key", async () => {
  const script = new ScriptedFetch();
  script.answer(() => new Response("no", { status: 401 }));
  let body!: ReturnType<typeof liveBody>;
  script.answer((signal) => (body = liveBody(signal)).response);
  let key = "";
  const events = new LiveEvents({
    fetch: script.fetch,
    headers: () => key ? { Authorization: `Bearer ${key}` } : {},
  });

  events.start();
  await statusReached(events, "unauthorized");
  key = "right";
  const opened = statusReached(events, "open");
  events.restart();
  await opened;
  events.stop();

  assert.equal(script.calls.length, 2);
  const headers = script.calls[1]!.init.headers as Record<string, string>;
  assert.equal(headers["Authorization"], "Bearer right");
  assert.ok(body);
});

Deno.test("LiveEvents reports unavailable on 404 and does not retry", async () => {
  const script = new ScriptedFetch();
  script.answer(() => new Response("404 page not found", { status: 404 }));
  const events = new LiveEvents({ fetch: script.fetch, headers: () => ({}) });

  events.start();
  await statusReached(events, "unavailable");

  assert.equal(events.status, "unavailable");
  assert.equal(script.calls.length, 1);
});

Deno.test("LiveEvents.stop() aborts the open stream", async () => {
  const script = new ScriptedFetch();
  script.answer((signal) => liveBody(signal).response);
  const events = new LiveEvents({ fetch: script.fetch, headers: () => ({}) });
  events.start();
  await statusReached(events, "open");

  events.stop();

  assert.equal(script.calls[0]!.init.signal!.aborted, true);
  assert.equal(events.status, "stopped");
});

Deno.test("LiveEvents keeps delivering when a listener throws", async () => {
  const script = new ScriptedFetch();
  let body!: ReturnType<typeof liveBody>;
  script.answer((signal) => (body = liveBody(signal)).response);
  const reported: unknown[] = [];
  const events = new LiveEvents({
    fetch: script.fetch,
    headers: () => ({}),
    reportError: (error) => reported.push(error),
  });
  events.on("logData", () => {
    throw new Error("listener broke");
  });
  const received: unknown[] = [];
  const second = new Promise<void>((resolve) =>
    events.on("logData", (data) => {
      received.push(data);
      if (received.length === 2) resolve();
    })
  );

  events.start();
  await statusReached(events, "open");
  body.send("logData", { source: "proxy", data: "a" });
  body.send("logData", { source: "proxy", data: "b" });
  await second;
  events.stop();

  assert.equal(received.length, 2);
  assert.equal(reported.length, 2);
});
