import assert from "node:assert/strict";
import { ChatStreamReader } from "./chat_stream.js";

function chunk(delta: Record<string, string>): string {
  return `data: ${JSON.stringify({ choices: [{ index: 0, delta }] })}\n\n`;
}

Deno.test("ChatStreamReader.push() separates loading remarks from the answer", () => {
  const reader = new ChatStreamReader();

  const updates = reader.push(
    chunk({ role: "assistant", reasoning_content: "Loading model…\n" }) +
      chunk({ content: "Hello" }) + chunk({ content: " there" }) +
      "data: [DONE]\n\n",
  );

  assert.deepEqual(updates, [
    { kind: "reasoning", text: "Loading model…\n" },
    { kind: "content", text: "Hello" },
    { kind: "content", text: " there" },
    { kind: "done" },
  ]);
});

Deno.test("ChatStreamReader.push() reports an in-band error event", () => {
  const reader = new ChatStreamReader();

  const updates = reader.push(
    'data: {"error":{"message":"model failed to start","type":"server_error"}}\n\n',
  );

  assert.deepEqual(updates, [{
    kind: "error",
    message: "model failed to start",
  }]);
});

Deno.test("ChatStreamReader.push() reads llama-server timings as a speed", () => {
  const reader = new ChatStreamReader();
  const last = {
    choices: [{ delta: {}, finish_reason: "stop" }],
    timings: { predicted_per_second: 48.2 },
  };

  const updates = reader.push(`data: ${JSON.stringify(last)}\n\n`);

  assert.deepEqual(updates, [{ kind: "speed", tokensPerSecond: 48.2 }]);
});

Deno.test("ChatStreamReader.push() ignores SSE comments and non-JSON data", () => {
  const reader = new ChatStreamReader();

  const updates = reader.push(": loading\n\ndata: not json\n\n");

  assert.deepEqual(updates, []);
});
