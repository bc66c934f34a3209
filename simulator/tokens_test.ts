import assert from "node:assert/strict";
import {
  countTokens,
  embedText,
  promptSeed,
  replyToken,
  replyTokens,
} from "./tokens.ts";

Deno.test("replyTokens() gives the same words for the same seed", () => {
  const seed = promptSeed("hello llama");

  const first = replyTokens(seed, 6);
  const second = replyTokens(seed, 6);

  assert.deepEqual(first, second);
  assert.equal(replyToken(seed, 4), first[4]);
});

Deno.test("replyTokens() joins into words separated by single spaces", () => {
  const text = replyTokens(promptSeed("x"), 10).join("");

  assert.match(text, /^[a-z]+( [a-z]+){9}$/);
});

Deno.test("replyTokens() of a shorter reply is a prefix of a longer one", () => {
  const seed = promptSeed("prefix");

  assert.deepEqual(replyTokens(seed, 3), replyTokens(seed, 9).slice(0, 3));
});

Deno.test("promptSeed() tells different prompts apart", () => {
  assert.notEqual(promptSeed("tell me a story"), promptSeed("tell me a joke"));
  assert.notDeepEqual(
    replyTokens(promptSeed("tell me a story"), 8),
    replyTokens(promptSeed("tell me a joke"), 8),
  );
});

Deno.test("countTokens() counts whitespace-separated words", () => {
  assert.equal(countTokens("  one two\nthree\tfour "), 4);
  assert.equal(countTokens(""), 0);
  assert.equal(countTokens(" \n "), 0);
});

Deno.test("embedText() returns a deterministic unit vector of 8 numbers", () => {
  const vector = embedText("a llama");

  assert.equal(vector.length, 8);
  assert.deepEqual(embedText("a llama"), vector);
  assert.notDeepEqual(embedText("an alpaca"), vector);
  assert.ok(Math.abs(Math.hypot(...vector) - 1) < 1e-5);
});
