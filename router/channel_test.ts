import assert from "node:assert/strict";
import { Channel } from "./channel.ts";

async function collect<T>(channel: Channel<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const value of channel) out.push(value);
  return out;
}

Deno.test("Channel delivers values in send order", async () => {
  const channel = new Channel<number>();

  channel.send(1);
  channel.send(2);
  channel.send(3);
  channel.close();

  assert.deepEqual(await collect(channel), [1, 2, 3]);
});

Deno.test("Channel wakes a waiting reader when a value arrives", async () => {
  const channel = new Channel<string>();
  const next = channel.receive();

  channel.send("hello");

  assert.deepEqual(await next, { value: "hello", done: false });
});

Deno.test("Channel.send() never blocks, even with no reader", () => {
  const channel = new Channel<number>();

  for (let i = 0; i < 10_000; i++) channel.send(i);

  assert.equal(channel.size, 10_000);
});

Deno.test("Channel keeps order across buffer compaction", async () => {
  const channel = new Channel<number>();
  const expected: number[] = [];
  for (let i = 0; i < 5_000; i++) {
    channel.send(i);
    expected.push(i);
  }
  channel.close();

  assert.deepEqual(await collect(channel), expected);
});

Deno.test("Channel.close() lets the reader finish buffered values", async () => {
  const channel = new Channel<string>();
  channel.send("a");
  channel.send("b");

  channel.close();

  assert.deepEqual(await collect(channel), ["a", "b"]);
});

Deno.test("Channel.close() ends a reader that is waiting", async () => {
  const channel = new Channel<number>();
  const reading = collect(channel);

  channel.send(7);
  channel.close();

  assert.deepEqual(await reading, [7]);
});

Deno.test("Channel.send() refuses values after close", async () => {
  const channel = new Channel<number>();
  channel.close();

  const accepted = channel.send(1);

  assert.equal(accepted, false);
  assert.deepEqual(await channel.receive(), { value: undefined, done: true });
});

Deno.test("Channel.receive() refuses a second waiting reader", async () => {
  const channel = new Channel<number>();
  const first = channel.receive();

  await assert.rejects(channel.receive(), /another receive is already waiting/);

  channel.send(1);
  assert.deepEqual(await first, { value: 1, done: false });
});

Deno.test("Channel accepts sends made while the reader handles a value", async () => {
  const channel = new Channel<number>();
  const seen: number[] = [];
  channel.send(1);

  for await (const value of channel) {
    seen.push(value);
    if (value < 3) channel.send(value + 1);
    else channel.close();
  }

  assert.deepEqual(seen, [1, 2, 3]);
});
