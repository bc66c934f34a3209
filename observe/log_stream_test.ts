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
