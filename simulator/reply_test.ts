import assert from "node:assert/strict";
import {
  buildTimings,
  contentText,
  planReply,
  requestedLimit,
} from "./reply.ts";

const base = {
  id: "sim-1",
  created: 1_700_000_000,
  model: "m",
  promptTokens: 4,
  defaultTokens: 12,
};

Deno.test("planReply() gives the default length and stops naturally without a limit", () => {
  const reply = planReply(7, { ...base, limit: null });

  assert.equal(reply.tokens.length, 12);
  assert.equal(reply.finish, "stop");
});

Deno.test("planReply() cuts the reply at a smaller limit and reports length", () => {
  const reply = planReply(7, { ...base, limit: 5 });

  assert.equal(reply.tokens.length, 5);
  assert.equal(reply.finish, "length");
});

Deno.test("planReply() ignores a limit at or above the default", () => {
  const reply = planReply(7, { ...base, limit: 12 });

  assert.equal(reply.tokens.length, 12);
  assert.equal(reply.finish, "stop");
});

Deno.test("requestedLimit() takes the smallest non-negative limit among the keys", () => {
  const keys = ["max_tokens", "n_predict"];

  assert.equal(requestedLimit({ max_tokens: 9, n_predict: 4 }, keys), 4);
  assert.equal(requestedLimit({ n_predict: -1, max_tokens: 3 }, keys), 3);
  assert.equal(requestedLimit({ n_predict: -1 }, keys), null);
  assert.equal(requestedLimit({ max_tokens: "7" }, keys), null);
  assert.equal(requestedLimit({ max_tokens: 0 }, keys), 0);
  assert.equal(requestedLimit({ other: 1 }, keys), null);
});

Deno.test("buildTimings() reports counts and finite rates", () => {
  const timings = buildTimings(10, 4, 200);

  assert.deepEqual(timings, {
    prompt_n: 10,
    prompt_ms: 2,
    prompt_per_second: 5000,
    predicted_n: 4,
    predicted_ms: 200,
    predicted_per_second: 20,
    cache_n: 0,
  });
});

Deno.test("buildTimings() keeps rates finite when generation took no time", () => {
  const fast = buildTimings(0, 3, 0);
  const empty = buildTimings(0, 0, 0);

  assert.equal(fast.predicted_ms, 1);
  assert.equal(fast.predicted_per_second, 3000);
  assert.equal(fast.prompt_per_second, 0);
  assert.equal(empty.predicted_per_second, 0);
});

Deno.test("contentText() reads strings and lists of text parts", () => {
  assert.equal(contentText("plain"), "plain");
  assert.equal(
    contentText([
      { type: "text", text: "one" },
      { type: "image_url", image_url: { url: "x" } },
      { type: "text", text: "two" },
    ]),
    "one two",
  );
  assert.equal(contentText(null), "");
});
