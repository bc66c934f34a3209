import assert from "node:assert/strict";
import { PushableBody } from "./pushable_body.ts";
import { fakeUpstream } from "./test_utils.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

Deno.test("PushableBody.pipeFrom() reads the upstream only once the consumer makes room", async () => {
  const events: string[] = [];
  const body = new PushableBody({ highWaterMark: 4 });
  const chunks = ["one", "two", "three"].map((text) => encoder.encode(text));
  const started = Promise.resolve();
  const upstream = new ReadableStream<Uint8Array>({
    start: () => started,
    pull(controller) {
      events.push("upstream pulled");
      const chunk = chunks.shift();
      if (chunk) controller.enqueue(chunk);
      else controller.close();
    },
  }, { highWaterMark: 0 });
  body.write(encoder.encode("loading!"));
  const reader = body.stream.getReader();
  // The stream reacted to `started` first, so from here on a read of the
  // upstream pulls at once.
  await started;

  const piped = body.pipeFrom(upstream);
  let text = "";
  for (;;) {
    events.push("consumer read");
    const { done, value } = await reader.read();
    if (done) break;
    text += decoder.decode(value);
  }

  assert.deepEqual(await piped, { kind: "complete" });
  assert.equal(text, "loading!onetwothree");
  assert.equal(events[0], "consumer read");
  assert.equal(body.finished, true);
});

Deno.test("PushableBody.pipeFrom() cancels the upstream unread when the consumer left", async () => {
  const left: string[] = [];
  const body = new PushableBody({
    highWaterMark: 1024,
    onConsumerCancel: () => left.push("left"),
  });
  const upstream = fakeUpstream([encoder.encode("unread")]);

  await body.stream.cancel("gone");
  const outcome = await body.pipeFrom(upstream.body);

  assert.deepEqual(outcome, { kind: "clientLeft" });
  assert.equal(await upstream.cancelled, "client went away");
  assert.deepEqual(left, ["left"]);
});

Deno.test("PushableBody.write() after close is dropped without an error", async () => {
  const body = new PushableBody({ highWaterMark: 1024 });
  body.write(encoder.encode("kept"));

  body.close();
  body.write(encoder.encode("dropped"));
  body.close();
  body.cancel("late");

  assert.equal(await new Response(body.stream).text(), "kept");
});
