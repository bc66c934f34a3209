import assert from "node:assert/strict";
import { StreamUsageTracker } from "./stream_usage_tracker.ts";
import { parseUsage } from "./usage_parser.ts";

const encoder = new TextEncoder();

/** A llama-server style stream with multi-byte text and a timings event. */
const LLAMA_STREAM = [
  'data: {"choices":[{"delta":{"role":"assistant"}}]}',
  'data: {"choices":[{"delta":{"content":"Grüße, 世界 🦙"}}]}',
  'data: {"choices":[{"delta":{}}],"usage":{"prompt_tokens":11,"completion_tokens":4},' +
  '"timings":{"prompt_n":11,"predicted_n":4,"prompt_per_second":512.5,' +
  '"predicted_per_second":61.2,"prompt_ms":21.5,"predicted_ms":65.3,"cache_n":3}}',
  "data: [DONE]",
].join("\r\n\r\n") + "\r\n\r\n";

/** Anthropic splits usage over message_start and message_delta. */
const ANTHROPIC_STREAM = [
  "event: message_start",
  'data: {"type":"message_start","message":{"usage":{"input_tokens":25,' +
  '"output_tokens":1,"cache_read_input_tokens":7}}}',
  "",
  "event: content_block_delta",
  'data: {"type":"content_block_delta","delta":{"text":"Hi"}}',
  "",
  "event: message_delta",
  'data: {"type":"message_delta","usage":{"input_tokens":0,"output_tokens":42}}',
  "",
].join("\n");

Deno.test("StreamUsageTracker fed byte by byte matches whole-body parsing", () => {
  for (const stream of [LLAMA_STREAM, ANTHROPIC_STREAM]) {
    const tracker = new StreamUsageTracker();

    for (const byte of encoder.encode(stream)) {
      tracker.push(new Uint8Array([byte]));
    }

    const whole = parseUsage(stream, "text/event-stream", "/v1/messages");
    assert.deepEqual(tracker.finish(), whole);
    assert.notEqual(whole.inputTokens, null);
  }
});

Deno.test("StreamUsageTracker merges Anthropic's split usage", () => {
  const tracker = new StreamUsageTracker();

  tracker.push(encoder.encode(ANTHROPIC_STREAM));
  const metrics = tracker.finish();

  assert.equal(metrics.inputTokens, 25);
  assert.equal(metrics.outputTokens, 42);
  assert.equal(metrics.cachedTokens, 7);
});

Deno.test("StreamUsageTracker reads usage of a Responses API completed event", () => {
  const tracker = new StreamUsageTracker();

  tracker.push(
    'event: response.completed\ndata: {"type":"response.completed",' +
      '"response":{"usage":{"input_tokens":8,"output_tokens":13,' +
      '"input_tokens_details":{"cached_tokens":2}}}}\n\n',
  );

  assert.deepEqual(
    [tracker.finish().inputTokens, tracker.finish().outputTokens],
    [8, 13],
  );
  assert.equal(tracker.finish().cachedTokens, 2);
});

Deno.test("StreamUsageTracker lets the last timings object win", () => {
  const tracker = new StreamUsageTracker();

  tracker.push('data: {"timings":{"prompt_n":1,"predicted_n":1}}\n\n');
  tracker.push('data: {"timings":{"prompt_n":6,"predicted_n":60}}\n\n');

  assert.equal(tracker.finish().outputTokens, 60);
});

Deno.test("StreamUsageTracker reads a last line that has no newline", () => {
  const tracker = new StreamUsageTracker();

  tracker.push('data: {"usage":{"prompt_tokens":2,"completion_tokens":3}}');

  assert.equal(tracker.finish().outputTokens, 3);
});

Deno.test("StreamUsageTracker skips a line longer than its limit", () => {
  const tracker = new StreamUsageTracker();
  const huge = "x".repeat(1024 * 1024);

  tracker.push('data: {"usage":{"prompt_tokens":1,"note":"');
  for (let i = 0; i < 9; i++) tracker.push(huge);
  tracker.push('"}}\ndata: {"usage":{"completion_tokens":4}}\n');

  const metrics = tracker.finish();
  assert.equal(metrics.inputTokens, null);
  assert.equal(metrics.outputTokens, 4);
});

Deno.test("StreamUsageTracker.ttftMs counts from the start to the first content", () => {
  const tracker = new StreamUsageTracker({ startedAt: 1_000 });

  tracker.markFirstContent(1_250);
  tracker.markFirstContent(1_900);

  assert.equal(tracker.ttftMs, 250);
  assert.equal(new StreamUsageTracker().ttftMs, null);
});

Deno.test("StreamUsageTracker.finish() ignores chunks pushed afterwards", () => {
  const tracker = new StreamUsageTracker();
  tracker.push('data: {"usage":{"prompt_tokens":2}}\n');

  const first = tracker.finish();
  tracker.push('data: {"usage":{"prompt_tokens":9}}\n');

  assert.equal(tracker.finish(), first);
  assert.equal(first.inputTokens, 2);
});
