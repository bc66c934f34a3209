import assert from "node:assert/strict";
import OpenAI from "openai";
import { FakeClock } from "../../tests/fake_clock.ts";
import { loadingHeaders } from "./loading_headers.ts";
import { LoadingStream } from "./loading_stream.ts";
import { fakeUpstream } from "./test_utils.ts";

const encoder = new TextEncoder();

/** An OpenAI client whose only response is `body`, served as SSE. */
function clientFor(body: ReadableStream<Uint8Array>): OpenAI {
  return new OpenAI({
    baseURL: "http://127.0.0.1:9/v1",
    apiKey: "x",
    maxRetries: 0,
    fetch: () =>
      Promise.resolve(new Response(body, { headers: loadingHeaders() })),
  });
}

/** One chat completion chunk as an upstream such as llama-server sends it. */
function answerChunk(content: string): Uint8Array {
  const chunk = {
    id: "chatcmpl-1",
    object: "chat.completion.chunk",
    created: 1767225600,
    model: "qwen-7b",
    choices: [{ index: 0, delta: { content }, finish_reason: null }],
  };
  return encoder.encode(`data: ${JSON.stringify(chunk)}\n\n`);
}

function openStream(clock: FakeClock): LoadingStream {
  return new LoadingStream({
    model: "qwen-7b",
    format: "reasoning",
    remarks: ["Warming up the tensors"],
    clock,
    random: () => 0.999,
  });
}

/** A delta as chat UIs read it; the SDK's type does not name reasoning. */
interface Delta {
  content?: string | null;
  reasoning_content?: string;
}

Deno.test("OpenAI SDK reads the loading text as reasoning, then the answer as content", async () => {
  const clock = new FakeClock();
  const stream = openStream(clock);
  const upstream = fakeUpstream([
    answerChunk("Hello"),
    answerChunk(" there"),
    encoder.encode("data: [DONE]\n\n"),
  ]);
  clock.tick(2_000);
  const handedOver = stream.handOver(upstream.body);

  const chunks = await clientFor(stream.body).chat.completions.create({
    model: "qwen-7b",
    messages: [{ role: "user", content: "hi" }],
    stream: true,
  });
  const kinds: string[] = [];
  let reasoning = "";
  let content = "";
  for await (const chunk of chunks) {
    const delta: Delta = chunk.choices[0]?.delta ?? {};
    if (delta.reasoning_content !== undefined) {
      kinds.push("reasoning");
      reasoning += delta.reasoning_content;
    }
    if (delta.content) {
      kinds.push("content");
      content += delta.content;
    }
  }
  await handedOver;

  assert.equal(
    reasoning,
    "━━━━━\nllama-swap loading model: qwen-7b\n" +
      "\nWarming up the tensors .\nDone! (2.00s)\n━━━━━\n \n",
  );
  assert.equal(content, "Hello there");
  assert.equal(kinds.indexOf("content"), kinds.lastIndexOf("reasoning") + 1);
});

Deno.test("OpenAI SDK raises the error that LoadingStream.fail() sends", async () => {
  const clock = new FakeClock();
  const stream = openStream(clock);
  clock.tick(1_000);
  await stream.fail({
    status: 503,
    message: 'Cannot start "qwen-7b": the process exited with code 1',
    type: "server_error",
    code: "service_unavailable",
  });

  const chunks = await clientFor(stream.body).chat.completions.create({
    model: "qwen-7b",
    messages: [{ role: "user", content: "hi" }],
    stream: true,
  });
  let reasoning = "";
  const reading = async () => {
    for await (const chunk of chunks) {
      const delta: Delta = chunk.choices[0]?.delta ?? {};
      reasoning += delta.reasoning_content ?? "";
    }
  };

  await assert.rejects(reading(), (error: unknown) => {
    assert.ok(error instanceof OpenAI.APIError);
    assert.match(error.message, /the process exited with code 1/);
    assert.equal(error.code, "service_unavailable");
    assert.equal(error.type, "server_error");
    return true;
  });
  assert.ok(reasoning.endsWith("Loading failed (1.00s)\n━━━━━\n \n"));
});
