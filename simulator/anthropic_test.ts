import assert from "node:assert/strict";
import {
  countTokensBody,
  messagesFormat,
  messagesPrompt,
} from "./anthropic.ts";
import { buildTimings, type Reply } from "./reply.ts";
import { parseSseFrames } from "./sse.ts";

const reply: Reply = {
  id: "sim-2",
  created: 1_700_000_000,
  model: "claude-ish",
  promptTokens: 5,
  tokens: ["warm", " light"],
  finish: "stop",
};
const timings = buildTimings(5, 2, 10);

Deno.test("messagesFormat.whole() is an Anthropic message with usage", () => {
  assert.deepEqual(messagesFormat.whole(reply, timings), {
    id: "msg_sim-2",
    type: "message",
    role: "assistant",
    content: [{ type: "text", text: "warm light" }],
    model: "claude-ish",
    stop_reason: "end_turn",
    stop_sequence: null,
    usage: { input_tokens: 5, output_tokens: 2 },
  });
});

Deno.test("messagesFormat streams Anthropic's events in order with split usage", () => {
  const text = messagesFormat.streamStart(reply) +
    messagesFormat.streamToken(reply, 0) +
    messagesFormat.streamToken(reply, 1) +
    messagesFormat.streamEnd(reply, timings);

  const frames = parseSseFrames(text);
  const data = frames.map((f) => JSON.parse(f.data));

  assert.deepEqual(frames.map((f) => f.event), [
    "message_start",
    "content_block_start",
    "content_block_delta",
    "content_block_delta",
    "content_block_stop",
    "message_delta",
    "message_stop",
  ]);
  assert.deepEqual(data.map((d) => d.type), frames.map((f) => f.event));
  assert.equal(data[0].message.usage.input_tokens, 5);
  assert.deepEqual(data[2].delta, { type: "text_delta", text: "warm" });
  assert.deepEqual(data[5].usage, { output_tokens: 2 });
  assert.equal(data[5].delta.stop_reason, "end_turn");
});

Deno.test("messagesFormat reports max_tokens when the reply was cut", () => {
  const cut: Reply = { ...reply, finish: "length" };

  const whole = messagesFormat.whole(cut, timings) as { stop_reason: string };

  assert.equal(whole.stop_reason, "max_tokens");
});

Deno.test("messagesPrompt() includes the system prompt", () => {
  const body = {
    system: "you are terse",
    messages: [{ role: "user", content: [{ type: "text", text: "hi" }] }],
  };

  assert.equal(messagesPrompt(body), "you are terse\nhi");
  assert.deepEqual(countTokensBody(body), { input_tokens: 4 });
});
