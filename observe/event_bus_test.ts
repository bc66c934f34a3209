import assert from "node:assert/strict";
import { LogBuffer, Logger } from "../log/mod.ts";
import { EventBus } from "./event_bus.ts";
import type { EventMessage } from "./event_messages.ts";

function activity(id: number): EventMessage {
  return { type: "activity", data: { id } };
}

async function take(
  iterator: AsyncIterator<EventMessage>,
  count: number,
): Promise<EventMessage[]> {
  const out: EventMessage[] = [];
  while (out.length < count) {
    const result = await iterator.next();
    if (result.done) break;
    out.push(result.value);
  }
  return out;
}

Deno.test("EventBus.subscribe() delivers the initial burst, then published messages", async () => {
  const bus = new EventBus();
  using subscription = bus.subscribe([activity(1)]);

  bus.publish(activity(2));

  assert.deepEqual(await take(subscription, 2), [activity(1), activity(2)]);
});

Deno.test("EventSubscription.next() waits for the next published message", async () => {
  const bus = new EventBus();
  using subscription = bus.subscribe();

  const pending = subscription.next();
  bus.publish(activity(3));

  assert.deepEqual(await pending, { value: activity(3), done: false });
});

Deno.test("EventBus drops messages for a slow subscriber without blocking others", async () => {
  const sink = new LogBuffer();
  const bus = new EventBus({ queueSize: 2, log: new Logger(sink) });
  using slow = bus.subscribe();
  using fast = bus.subscribe();
  const fastSeen: EventMessage[] = [];

  for (let id = 1; id <= 5; id++) {
    bus.publish(activity(id));
    fastSeen.push(...await take(fast, 1));
  }

  assert.equal(slow.dropped, 3);
  assert.equal(fast.dropped, 0);
  assert.deepEqual(await take(slow, 2), [activity(1), activity(2)]);
  assert.equal(fastSeen.length, 5);
  assert.equal(
    sink.text(),
    "[WARN] events client is too slow, dropping messages dropped=1\n",
  );
});

Deno.test("EventBus sends fresh state to a subscriber that dropped that type", async () => {
  const bus = new EventBus({ queueSize: 2 });
  let current = 0;
  bus.setResync("activity", () => activity(current));
  using subscription = bus.subscribe();

  for (current = 1; current <= 4; current++) bus.publish(activity(current));
  current = 99;

  assert.deepEqual(await take(subscription, 3), [
    activity(1),
    activity(2),
    activity(99),
  ]);
});

Deno.test("EventBus.close() ends subscriptions and iteration", async () => {
  const bus = new EventBus();
  const subscription = bus.subscribe();
  const pending = subscription.next();

  bus.close();

  assert.deepEqual(await pending, { value: undefined, done: true });
  assert.equal(bus.subscriberCount, 0);
  assert.equal((await bus.subscribe().next()).done, true);
});

Deno.test("Breaking out of for-await unsubscribes", async () => {
  const bus = new EventBus();
  const subscription = bus.subscribe([activity(1), activity(2)]);

  for await (const message of subscription) {
    assert.deepEqual(message, activity(1));
    break;
  }

  assert.equal(bus.subscriberCount, 0);
  assert.equal(subscription.closed, true);
});

Deno.test("EventBus rejects a queue size below one", () => {
  assert.throws(() => new EventBus({ queueSize: 0 }), RangeError);
});
