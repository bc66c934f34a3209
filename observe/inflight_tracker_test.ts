import assert from "node:assert/strict";
import { Cancelled } from "../lib/mod.ts";
import { FakeClock } from "../tests/fake_clock.ts";
import { EventBus } from "./event_bus.ts";
import type { EventMessage, InFlightUpdate } from "./event_messages.ts";
import { type InFlightStart, InFlightTracker } from "./inflight_tracker.ts";
import { REDACTED } from "./redact.ts";

function chatRequest(overrides: Partial<InFlightStart> = {}): InFlightStart {
  return {
    model: "m1",
    reqPath: "/v1/chat/completions",
    method: "POST",
    reqHeaders: new Headers(),
    remoteAddr: "127.0.0.1:5000",
    ...overrides,
  };
}

/**
 * A tracker on a fake clock whose published updates are collected, with
 * one `/api/events` client connected (the tracker stays quiet without).
 */
function recordingTracker(clock = new FakeClock()) {
  const updates: InFlightUpdate[] = [];
  const bus = new EventBus();
  bus.subscribe();
  const tracker = new InFlightTracker({ bus, clock });
  const published = bus.publish.bind(bus);
  bus.publish = (message: EventMessage) => {
    if (message.type === "inflight") updates.push(message.data);
    published(message);
  };
  return { tracker, updates, clock, bus };
}

Deno.test("InFlightTracker counts a request while it runs", () => {
  const counts: string[] = [];
  const tracker = new InFlightTracker({
    onCountChange: (model, count) => counts.push(`${model}=${count}`),
  });

  const handle = tracker.start(chatRequest());
  const during = tracker.count();
  handle.finish();
  handle.finish();

  assert.equal(during, 1);
  assert.equal(tracker.count(), 0);
  assert.deepEqual(counts, ["m1=1", "m1=0"]);
});

Deno.test("InFlightTracker entries carry redacted headers and the client address", () => {
  const clock = new FakeClock();
  const tracker = new InFlightTracker({ clock });
  const startedAt = clock.now();
  tracker.start(chatRequest({
    model: "resolved-model",
    reqHeaders: new Headers({
      "User-Agent": "test-agent",
      "Authorization": "Bearer secret",
      "X-Forwarded-For": "203.0.113.9, 10.0.0.1",
    }),
    metadata: { source: "test" },
  }));

  clock.tick(1_000);
  const [entry] = tracker.list();

  assert.ok(entry);
  assert.notEqual(entry.id, "");
  assert.equal(entry.model, "resolved-model");
  assert.equal(entry.method, "POST");
  assert.equal(entry.req_path, "/v1/chat/completions");
  assert.equal(entry.timestamp, new Date(startedAt).toISOString());
  assert.ok(entry.elapsed_ms >= 1_000);
  assert.equal(entry.remote_ip, "203.0.113.9");
  assert.equal(entry.req_headers["User-Agent"], "test-agent");
  assert.equal(entry.req_headers["Authorization"], REDACTED);
  assert.deepEqual(entry.metadata, { source: "test" });
});

Deno.test("InFlightTracker publishes start, headers, progress and removal in order", () => {
  const { tracker, updates } = recordingTracker();

  const handle = tracker.start(chatRequest());
  handle.responseStarted(
    new Headers({
      "Content-Type": "text/event-stream",
      "Set-Cookie": "session=abc",
    }),
  );
  handle.progress(5);
  handle.finish();

  assert.deepEqual(updates.map((u) => u.operation), [
    "upsert",
    "upsert",
    "upsert",
    "remove",
  ]);
  const [added, headers, progress, removed] = updates;
  assert.ok(added?.operation === "upsert");
  assert.deepEqual(added.request.resp_headers, {});
  assert.ok(headers?.operation === "upsert");
  assert.equal(headers.request.resp_headers["Set-Cookie"], REDACTED);
  assert.equal(
    headers.request.resp_headers["Content-Type"],
    "text/event-stream",
  );
  assert.ok(progress?.operation === "upsert");
  assert.equal(progress.request.resp_bytes, 5);
  assert.deepEqual(removed, { operation: "remove", id: handle.id });
});

Deno.test("InFlightTracker sends at most one progress update per 250 ms and then the latest bytes", () => {
  const { tracker, updates, clock } = recordingTracker();
  const handle = tracker.start(chatRequest());
  updates.length = 0;

  handle.progress(1);
  clock.tick(100);
  handle.progress(2);
  handle.progress(3);
  const beforeTimer = updates.length;
  clock.tick(150);

  const bytes = updates.map((u) =>
    u.operation === "upsert" && u.request.resp_bytes
  );
  assert.equal(beforeTimer, 1);
  assert.deepEqual(bytes, [1, 6]);
  handle.finish();
  assert.equal(clock.pendingTimers, 0);
});

Deno.test("InFlightTracker.finish() cancels a pending progress update", () => {
  const { tracker, updates, clock } = recordingTracker();
  const handle = tracker.start(chatRequest());
  handle.progress(1);
  handle.progress(1);

  handle.finish();
  clock.tick(1_000);

  assert.equal(clock.pendingTimers, 0);
  assert.equal(updates.at(-1)?.operation, "remove");
});

Deno.test("InFlightTracker publishes nothing while no client listens, and a later client sees the entry", () => {
  const clock = new FakeClock();
  const bus = new EventBus();
  const published: EventMessage[] = [];
  const publish = bus.publish.bind(bus);
  bus.publish = (message: EventMessage) => {
    published.push(message);
    publish(message);
  };
  const tracker = new InFlightTracker({ bus, clock });

  const handle = tracker.start(chatRequest({
    reqHeaders: new Headers({ "x-api-key": "secret" }),
  }));
  handle.responseStarted(new Headers({ "content-type": "text/plain" }));
  handle.progress(7);
  const snapshot = tracker.snapshot();
  handle.finish();

  assert.deepEqual(published, []);
  assert.ok(snapshot.operation === "snapshot");
  const [entry] = snapshot.requests ?? [];
  assert.equal(entry?.req_headers["X-Api-Key"], REDACTED);
  assert.equal(entry?.resp_headers["Content-Type"], "text/plain");
  assert.equal(entry?.resp_bytes, 7);
  assert.equal(clock.pendingTimers, 0);
});

Deno.test("InFlightTracker.cancel() aborts the request's signal", () => {
  const tracker = new InFlightTracker();
  const handle = tracker.start(chatRequest());

  const cancelled = tracker.cancel(handle.id);
  const missing = tracker.cancel("missing");

  assert.equal(cancelled, true);
  assert.equal(handle.signal.aborted, true);
  assert.ok(handle.signal.reason instanceof Cancelled);
  assert.match(handle.signal.reason.message, /cancelled through the API/);
  assert.equal(missing, false);
  assert.equal(tracker.count(), 1);
  handle.finish();
});

Deno.test("InFlightTracker handle signal follows the client's signal", () => {
  const tracker = new InFlightTracker();
  const client = new AbortController();
  using handle = tracker.start(chatRequest({ signal: client.signal }));

  client.abort();

  assert.equal(handle.signal.aborted, true);
});

Deno.test("InFlightTracker.snapshot() lists requests by start time and omits an empty list", () => {
  const clock = new FakeClock();
  const tracker = new InFlightTracker({ clock });
  const first = tracker.start(chatRequest({ model: "a" }));
  clock.tick(10);
  const second = tracker.start(chatRequest({ model: "b" }));

  const snapshot = tracker.snapshot();
  first.finish();
  second.finish();

  assert.ok(snapshot.operation === "snapshot");
  assert.deepEqual(snapshot.requests?.map((r) => r.model), ["a", "b"]);
  assert.deepEqual(tracker.snapshot(), { operation: "snapshot" });
});

Deno.test("InFlightTracker never waits for a stuck client and resyncs it with a snapshot", async () => {
  const bus = new EventBus({ queueSize: 2 });
  const tracker = new InFlightTracker({ bus });
  using stuck = bus.subscribe();

  for (let i = 0; i < 3; i++) tracker.start(chatRequest()).finish();

  const seen: InFlightUpdate[] = [];
  for (let i = 0; i < 3; i++) {
    const result = await stuck.next();
    if (!result.done && result.value.type === "inflight") {
      seen.push(result.value.data);
    }
  }
  assert.ok(stuck.dropped > 0);
  assert.deepEqual(seen.map((u) => u.operation), [
    "upsert",
    "remove",
    "snapshot",
  ]);
  assert.deepEqual(seen[2], { operation: "snapshot" });
});
