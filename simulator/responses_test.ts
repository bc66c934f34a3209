import assert from "node:assert/strict";
import { buildTimings, type Reply } from "./reply.ts";
import { responsesFormat, responsesPrompt } from "./responses.ts";
import { parseSseFrames } from "./sse.ts";

const reply: Reply = {
  id: "sim-4",
  created: 1_700_000_000,
  model: "gpt-ish",
  promptTokens: 3,
  tokens: ["calm", " words"],
  finish: "stop",
};
const timings = buildTimings(3, 2, 5);

function streamed(of: Reply) {
  const text = responsesFormat.streamStart(of) +
    of.tokens.map((_, i) => responsesFormat.streamToken(of, i)).join("") +
    responsesFormat.streamEnd(of, timings);
  return parseSseFrames(text);
}

Deno.test("responsesFormat.whole() is a completed response with usage", () => {
  const whole = responsesFormat.whole(reply, timings) as {
    status: string;
    output: { content: { text: string }[] }[];
    usage: unknown;
  };

  assert.equal(whole.status, "completed");
  assert.equal(whole.output[0]?.content[0]?.text, "calm words");
  assert.deepEqual(whole.usage, {
    input_tokens: 3,
    output_tokens: 2,
    total_tokens: 5,
  });
});

Deno.test("responsesFormat streams named events in sequence, usage in the last", () => {
  const frames = streamed(reply);
  const data = frames.map((f) => JSON.parse(f.data));

  assert.deepEqual(frames.map((f) => f.event), [
    "response.created",
    "response.in_progress",
    "response.output_item.added",
    "response.content_part.added",
    "response.output_text.delta",
    "response.output_text.delta",
    "response.output_text.done",
    "response.content_part.done",
    "response.output_item.done",
    "response.completed",
  ]);
  assert.deepEqual(data.map((d) => d.type), frames.map((f) => f.event));
  assert.deepEqual(data.map((d) => d.sequence_number), [...data.keys()]);
  assert.equal(data.at(-1).response.usage.output_tokens, 2);
});

Deno.test("responsesFormat ends a cut reply as incomplete", () => {
  const cut: Reply = { ...reply, finish: "length" };

  const last = JSON.parse(streamed(cut).at(-1)!.data);

  assert.equal(last.type, "response.incomplete");
  assert.equal(last.response.status, "incomplete");
  assert.deepEqual(last.response.incomplete_details, {
    reason: "max_output_tokens",
  });
});

Deno.test("responsesPrompt() reads instructions and input items", () => {
  const prompt = responsesPrompt({
    instructions: "be brief",
    input: [
      { role: "user", content: [{ type: "input_text", text: "hi" }] },
      { role: "user", content: "there" },
    ],
  });

  assert.equal(prompt, "be brief\nhi\nthere");
  assert.equal(responsesPrompt({ input: "plain" }), "plain");
});
