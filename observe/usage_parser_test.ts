import assert from "node:assert/strict";
import { tokensToJson } from "./token_metrics.ts";
import { parseUsage } from "./usage_parser.ts";

const JSON_TYPE = "application/json; charset=utf-8";
const SSE_TYPE = "text/event-stream";

Deno.test("parseUsage() reads OpenAI usage with cached prompt tokens", () => {
  const body = JSON.stringify({
    usage: {
      prompt_tokens: 12,
      completion_tokens: 7,
      prompt_tokens_details: { cached_tokens: 4 },
    },
  });

  const metrics = parseUsage(body, JSON_TYPE, "/v1/chat/completions");

  assert.equal(metrics.inputTokens, 12);
  assert.equal(metrics.outputTokens, 7);
  assert.equal(metrics.cachedTokens, 4);
  assert.equal(metrics.promptPerSecond, null);
});

Deno.test("parseUsage() lets llama-server timings override usage", () => {
  const body = JSON.stringify({
    usage: { prompt_tokens: 1, completion_tokens: 2 },
    timings: {
      prompt_n: 20,
      predicted_n: 50,
      prompt_per_second: 100,
      predicted_per_second: 40,
      prompt_ms: 200,
      predicted_ms: 1250,
      cache_n: 8,
    },
  });

  const metrics = parseUsage(body, JSON_TYPE, "/v1/chat/completions");

  assert.deepEqual(metrics, {
    inputTokens: 20,
    outputTokens: 50,
    cachedTokens: 8,
    promptPerSecond: 100,
    tokensPerSecond: 40,
    draftTokens: null,
    draftAccepted: null,
    durationMs: 1450,
  });
});

Deno.test("parseUsage() reads Anthropic usage names", () => {
  const body = JSON.stringify({
    usage: { input_tokens: 9, output_tokens: 3, cache_read_input_tokens: 5 },
  });

  const metrics = parseUsage(body, JSON_TYPE, "/v1/messages");

  assert.equal(metrics.inputTokens, 9);
  assert.equal(metrics.outputTokens, 3);
  assert.equal(metrics.cachedTokens, 5);
});

Deno.test("parseUsage() takes timings from the last element of an /infill array", () => {
  const body = JSON.stringify([
    { content: "a", timings: { prompt_n: 1, predicted_n: 1 } },
    { content: "b", timings: { prompt_n: 5, predicted_n: 9 } },
  ]);

  const metrics = parseUsage(body, JSON_TYPE, "/infill");

  assert.equal(metrics.inputTokens, 5);
  assert.equal(metrics.outputTokens, 9);
});

Deno.test("parseUsage() ignores a top-level array outside /infill", () => {
  const body = JSON.stringify([{ usage: { prompt_tokens: 3 } }]);

  const metrics = parseUsage(body, JSON_TYPE, "/v1/embeddings");

  assert.equal(metrics.inputTokens, null);
});

Deno.test("parseUsage() reads the usage of an SSE stream and skips [DONE]", () => {
  const body = [
    'data: {"choices":[{"delta":{"content":"hi"}}]}',
    "",
    'data: {"usage":{"prompt_tokens":15,"completion_tokens":33}}',
    "",
    "data: [DONE]",
    "",
    "",
  ].join("\n");

  const metrics = parseUsage(body, SSE_TYPE, "/v1/chat/completions");

  assert.equal(metrics.inputTokens, 15);
  assert.equal(metrics.outputTokens, 33);
});

Deno.test("parseUsage() leaves every field unknown for a stream of only [DONE]", () => {
  const metrics = parseUsage("data: [DONE]\n\n", SSE_TYPE, "/v1/completions");

  assert.ok(Object.values(metrics).every((value) => value === null));
  assert.equal(tokensToJson(metrics).input_tokens, 0);
  assert.equal(tokensToJson(metrics).cache_tokens, 0);
});

Deno.test("parseUsage() derives rates from a streamed vLLM metrics object", () => {
  const body = [
    'data: {"choices":[{"delta":{"content":"x"}}]}',
    'data: {"choices":[],"usage":{"prompt_tokens":14,"completion_tokens":152},' +
    '"metrics":{"time_to_first_token_ms":70,"mean_itl_ms":10}}',
    "data: [DONE]",
  ].join("\n\n");

  const metrics = parseUsage(body, SSE_TYPE, "/v1/chat/completions");

  assert.equal(metrics.cachedTokens, null);
  assert.equal(metrics.promptPerSecond, 200);
  assert.equal(metrics.tokensPerSecond, 100);
});

Deno.test("parseUsage() subtracts cached tokens from a vLLM prompt rate", () => {
  const body = JSON.stringify({
    usage: {
      prompt_tokens: 42,
      completion_tokens: 10,
      prompt_tokens_details: { cached_tokens: 20 },
    },
    metrics: { time_to_first_token_ms: 85.2, mean_itl_ms: 9.1 },
  });

  const metrics = parseUsage(body, JSON_TYPE, "/v1/chat/completions");

  assert.ok(Math.abs(metrics.promptPerSecond! - (42 - 20) / 0.0852) < 1e-9);
  assert.ok(Math.abs(metrics.tokensPerSecond! - 1000 / 9.1) < 1e-9);
});

Deno.test("parseUsage() reads vLLM speculative decoding counters only in pairs", () => {
  const both = JSON.stringify({
    usage: { prompt_tokens: 1 },
    metrics: {
      speculative_decoding: {
        num_draft_tokens: 20,
        num_accepted_draft_tokens: 14,
      },
    },
  });
  const one = JSON.stringify({
    usage: { prompt_tokens: 1 },
    metrics: { speculative_decoding: { num_draft_tokens: 20 } },
  });

  const fromBoth = parseUsage(both, JSON_TYPE, "/v1/completions");
  const fromOne = parseUsage(one, JSON_TYPE, "/v1/completions");

  assert.equal(fromBoth.draftTokens, 20);
  assert.equal(fromBoth.draftAccepted, 14);
  assert.equal(tokensToJson(fromOne).draft_tokens, -1);
  assert.equal(tokensToJson(fromOne).draft_acc_tokens, -1);
});

Deno.test("parseUsage() prefers timings draft counts over an empty vLLM object", () => {
  const body = JSON.stringify({
    timings: { prompt_n: 3, draft_n: 30, draft_n_accepted: 12 },
    metrics: {},
  });

  const metrics = parseUsage(body, JSON_TYPE, "/v1/completions");

  assert.equal(metrics.draftTokens, 30);
  assert.equal(metrics.draftAccepted, 12);
});

Deno.test("parseUsage() keeps everything unknown for bodies without usage", () => {
  const audio = new Uint8Array([0xff, 0xfb, 0x90, 0x00]);

  const fromAudio = parseUsage(audio, "audio/mpeg", "/v1/audio/speech");
  const fromHtml = parseUsage("<html>502</html>", "text/html", "/v1/x");
  const fromJson = parseUsage('{"id":"x"}', JSON_TYPE, "/v1/x");
  const fromBroken = parseUsage('{"usage":', JSON_TYPE, "/v1/x");

  for (const metrics of [fromAudio, fromHtml, fromJson, fromBroken]) {
    assert.ok(Object.values(metrics).every((value) => value === null));
  }
});

Deno.test("parseUsage() keeps a reported zero as zero", () => {
  const body = JSON.stringify({
    usage: { prompt_tokens: 0, completion_tokens: 0 },
  });

  const metrics = parseUsage(body, JSON_TYPE, "/v1/embeddings");

  assert.equal(metrics.inputTokens, 0);
  assert.equal(metrics.outputTokens, 0);
  assert.equal(metrics.cachedTokens, null);
});
