import assert from "node:assert/strict";
import { LogBuffer } from "../log/mod.ts";
import { BodyReader } from "./test_utils.ts";
import { LogStream } from "./log_stream.ts";

Deno.test("LogStream drops writes past its queue and marks the gap once read", async () => {
  const buffer = new LogBuffer();
  const stream = new LogStream(buffer, { history: false, queueBytes: 8 });
  const body = new BodyReader(stream.body);

  buffer.write("one\n");
  buffer.write("two\n");
  buffer.write("three\n");
  buffer.write("four\n");

  assert.equal(await body.next(), "one\n");
  assert.equal(await body.next(), "two\n");
  assert.equal(await body.next(), "— 11 bytes dropped —\n");
  assert.equal(stream.droppedBytes, 11);
  buffer.write("five\n");
  assert.equal(await body.next(), "five\n");
  await body.cancel();
});

Deno.test("LogStream marks a gap where it is, even when a smaller write after it would fit", async () => {
  const buffer = new LogBuffer();
  const stream = new LogStream(buffer, { history: false, queueBytes: 8 });
  const body = new BodyReader(stream.body);

  buffer.write("one\n");
  buffer.write("toolong\n");
  buffer.write("two\n");

  assert.equal(await body.next(), "one\n");
  assert.equal(await body.next(), "— 12 bytes dropped —\n");
  await body.cancel();
});

Deno.test("LogStream counts its history and gap marks against its bytes", async () => {
  const buffer = new LogBuffer();
  buffer.write("x".repeat(100));
  const stream = new LogStream(buffer, { queueBytes: 100 });
  const body = new BodyReader(stream.body);

  buffer.write("late\n"); // the history fills the queue
  assert.equal(stream.droppedBytes, 5);
  assert.equal(await body.next(), "x".repeat(100));
  // The 24-byte gap mark is queued: 7 of these fit beside it, 43 do not.
  for (let i = 0; i < 50; i++) buffer.write("0123456789");
  assert.equal(stream.droppedBytes, 5 + 43 * 10);
  await body.cancel();
});

Deno.test("LogStream.close() ends the body and leaves the buffer", async () => {
  const buffer = new LogBuffer();
  buffer.write("kept\n");
  const stream = new LogStream(buffer);
  const body = new BodyReader(stream.body);
  let closed = 0;
  stream.onClose(() => closed++);

  assert.equal(await body.next(), "kept\n");
  stream.close();
  stream.close();

  assert.equal(await body.next(), null);
  assert.equal(buffer.subscriberCount, 0);
  assert.equal(closed, 1);
});

Deno.test("a reader cancelling a LogStream unsubscribes it", async () => {
  const buffer = new LogBuffer();
  const stream = new LogStream(buffer);

  await stream.body.cancel();

  assert.equal(stream.closed, true);
  assert.equal(buffer.subscriberCount, 0);
});
