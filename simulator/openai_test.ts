import assert from "node:assert/strict";
import { chatFormat, chatPrompt, textFormat, textPrompt } from "./openai.ts";
import { buildTimings, type Reply } from "./reply.ts";
import { parseSseFrames } from "./sse.ts";

const reply: Reply = {
  id: "sim-1",
  created: 1_700_000_000,
  model: "llama-8b",
  promptTokens: 3,
  tokens: ["green", " hills", " rain"],
  finish: "length",
};
const timings = buildTimings(3, 3, 30);

function streamed(format: typeof chatFormat): unknown[] {
  const text = format.streamStart(reply) +
    reply.tokens.map((_, i) => format.streamToken(reply, i)).join("") +
    format.streamEnd(reply, timings);
  return parseSseFrames(text).map((frame) =>
    frame.data === "[DONE]" ? "[DONE]" : JSON.parse(frame.data)
  );
}

Deno.test("chatFormat.whole() is an OpenAI chat completion with usage and timings", () => {
  assert.deepEqual(chatFormat.whole(reply, timings), {
    id: "chatcmpl-sim-1",
    object: "chat.completion",
    created: 1_700_000_000,
    model: "llama-8b",
    choices: [{
      index: 0,
      message: { role: "assistant", content: "green hills rain" },
      finish_reason: "length",
    }],
    usage: { prompt_tokens: 3, completion_tokens: 3, total_tokens: 6 },
    timings,
  });
});

Deno.test("chatFormat streams one chunk per token, the role first, then usage and [DONE]", () => {
  const frames = streamed(chatFormat) as Record<string, unknown>[];

  const chunks = frames.slice(0, 3).map((f) =>
    (f.choices as { delta: unknown }[])[0]!.delta
  );
  assert.deepEqual(chunks, [
    { role: "assistant", content: "green" },
    { content: " hills" },
    { content: " rain" },
  ]);
  assert.equal(frames[0]!.object, "chat.completion.chunk");
  assert.deepEqual(frames[3]!.choices, [
    { index: 0, delta: {}, finish_reason: "length" },
  ]);
  assert.deepEqual(frames[3]!.usage, {
    prompt_tokens: 3,
    completion_tokens: 3,
    total_tokens: 6,
  });
  assert.deepEqual(frames[3]!.timings, timings);
  assert.equal(frames[4], "[DONE]");
  assert.equal(frames.length, 5);
});

Deno.test("textFormat streams text chunks whose concatenation is the whole text", () => {
  const frames = streamed(textFormat) as Record<string, unknown>[];
  const whole = textFormat.whole(reply, timings) as {
    choices: { text: string }[];
  };

  const text = frames.slice(0, -1).map((f) =>
    (f.choices as { text: string }[])[0]!.text
  ).join("");
  assert.equal(text, whole.choices[0]!.text);
  assert.equal(frames.at(-1), "[DONE]");
  assert.deepEqual(frames.at(-2)!.timings, timings);
});

Deno.test("chatPrompt() joins the text of every message", () => {
  const prompt = chatPrompt({
    messages: [
      { role: "system", content: "be brief" },
      { role: "user", content: [{ type: "text", text: "hi there" }] },
      "not a message",
    ],
  });

  assert.equal(prompt, "be brief\nhi there\n");
});

Deno.test("textPrompt() accepts a string or a list of strings", () => {
  assert.equal(textPrompt({ prompt: "once upon" }), "once upon");
  assert.equal(textPrompt({ prompt: ["a", "b"] }), "a\nb");
  assert.equal(textPrompt({}), "");
});
