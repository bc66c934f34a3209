import assert from "node:assert/strict";
import {
  completionFormat,
  completionPrompt,
  infillFormat,
  infillPrompt,
  propsBody,
  rerankBody,
} from "./llama.ts";
import { buildTimings, type Reply } from "./reply.ts";
import { parseSseFrames } from "./sse.ts";

const reply: Reply = {
  id: "sim-3",
  created: 1_700_000_000,
  model: "coder",
  promptTokens: 6,
  tokens: ["river", " stones"],
  finish: "stop",
};
const timings = buildTimings(6, 2, 12);

Deno.test("completionFormat streams content events, the last with stop and timings, no [DONE]", () => {
  const text = completionFormat.streamStart(reply) +
    completionFormat.streamToken(reply, 0) +
    completionFormat.streamToken(reply, 1) +
    completionFormat.streamEnd(reply, timings);

  const data = parseSseFrames(text).map((f) => JSON.parse(f.data));

  assert.deepEqual(data.slice(0, 2), [
    { index: 0, content: "river", stop: false },
    { index: 0, content: " stones", stop: false },
  ]);
  assert.equal(data[2].stop, true);
  assert.equal(data[2].tokens_predicted, 2);
  assert.equal(data[2].tokens_evaluated, 6);
  assert.deepEqual(data[2].timings, timings);
  assert.equal(data.length, 3);
});

Deno.test("completionFormat.whole() carries content, counts and timings", () => {
  const whole = completionFormat.whole(reply, timings) as Record<
    string,
    unknown
  >;

  assert.equal(whole.content, "river stones");
  assert.equal(whole.stop, true);
  assert.equal(whole.stop_type, "eos");
  assert.equal(whole.tokens_predicted, 2);
  assert.deepEqual(whole.timings, timings);
});

Deno.test("infillFormat.whole() is an array whose last element has timings", () => {
  const whole = infillFormat.whole(reply, timings) as Record<string, unknown>[];

  assert.ok(Array.isArray(whole));
  assert.deepEqual(whole.at(-1)!.timings, timings);
});

Deno.test("completionPrompt() and infillPrompt() read their prompt fields", () => {
  assert.equal(completionPrompt({ prompt: "def f(" }), "def f(");
  assert.equal(completionPrompt({ prompt: [1, 2, "x"] }), "1 2 x");
  assert.equal(
    infillPrompt({ input_prefix: "a", prompt: "b", input_suffix: "c" }),
    "a\nb\nc",
  );
});

Deno.test("rerankBody() ranks documents by words shared with the query", () => {
  const body = rerankBody({
    query: "green hills",
    documents: ["a red car", "green hills and rivers", { text: "hills" }],
    top_n: 2,
  }, "ranker");

  assert.deepEqual(body?.results, [
    { index: 2, relevance_score: 1 },
    { index: 1, relevance_score: 0.5 },
  ]);
  assert.equal(body?.model, "ranker");
  assert.equal(body?.usage.prompt_tokens, 2 + 3 + 4 + 1);
});

Deno.test("rerankBody() answers null without a query or documents", () => {
  assert.equal(rerankBody({ documents: [] }, "m"), null);
  assert.equal(rerankBody({ query: "q" }, "m"), null);
});

Deno.test("propsBody() names the model path and generation settings", () => {
  const props = propsBody("qwen", 12);

  assert.equal(props.model_path, "/models/qwen.gguf");
  assert.equal(props.default_generation_settings.n_ctx, 4096);
  assert.equal(props.default_generation_settings.params.n_predict, 12);
});
