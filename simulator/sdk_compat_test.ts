/**
 * A client nobody here wrote, the official `openai` SDK, and raw Anthropic
 * streaming, against one real simulator child.
 */
import assert from "node:assert/strict";
import OpenAI from "openai";
import { parseSseFrames } from "./sse.ts";
import { startSimulator } from "./testing.ts";

Deno.test("the openai SDK and an Anthropic stream work against a simulator child", async (t) => {
  await using sim = await startSimulator({
    args: ["--model", "sim-model", "--tokens", "6"],
  });
  const client = new OpenAI({ baseURL: `${sim.url}/v1`, apiKey: "unused" });
  const messages = [{ role: "user" as const, content: "how do llamas swap" }];

  await t.step("chat completions agree streamed and not", async () => {
    const whole = await client.chat.completions.create({
      model: "llama-8b",
      messages,
    });
    const stream = await client.chat.completions.create({
      model: "llama-8b",
      messages,
      stream: true,
    });
    let text = "";
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta?.content ?? "";
      usage = chunk.usage ?? usage;
    }

    assert.equal(whole.model, "llama-8b");
    assert.equal(text, whole.choices[0]?.message.content);
    assert.deepEqual(usage, whole.usage);
    assert.deepEqual(whole.usage, {
      prompt_tokens: 4,
      completion_tokens: 6,
      total_tokens: 10,
    });
  });

  await t.step("text completions, embeddings and models", async () => {
    const completion = await client.completions.create({
      model: "base",
      prompt: "once upon a time",
      max_tokens: 2,
    });
    const embeddings = await client.embeddings.create({
      model: "embed",
      input: ["a", "b", "c"],
    });
    const models = await client.models.list();

    assert.equal(completion.choices[0]?.finish_reason, "length");
    assert.equal(completion.choices[0]?.text.split(" ").length, 2);
    assert.equal(embeddings.data.length, 3);
    assert.deepEqual(models.data.map((m) => m.id), ["sim-model"]);
  });

  await t.step("the Responses API agrees streamed and not", async () => {
    const whole = await client.responses.create({
      model: "gpt-ish",
      input: "how do llamas swap",
    });
    const stream = await client.responses.create({
      model: "gpt-ish",
      input: "how do llamas swap",
      stream: true,
    });
    let text = "";
    let usage: unknown;
    for await (const event of stream) {
      if (event.type === "response.output_text.delta") text += event.delta;
      if (event.type === "response.completed") usage = event.response.usage;
    }

    assert.equal(whole.output_text, text);
    assert.deepEqual(usage, whole.usage);
    assert.equal(whole.usage?.output_tokens, 6);
  });

  await t.step("audio transcription uploads a multipart file", async () => {
    const file = new File([new Uint8Array(1234)], "speech.wav");

    const result = await client.audio.transcriptions.create({
      model: "whisper",
      file,
    });

    assert.equal(result.text, "transcribed speech.wav (1234 bytes)");
  });

  await t.step("an Anthropic messages stream carries split usage", async () => {
    const res = await fetch(`${sim.url}/v1/messages`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        model: "claude",
        max_tokens: 3,
        messages,
        stream: true,
      }),
    });
    const frames = parseSseFrames(await res.text());
    const events = frames.map((f) => JSON.parse(f.data));

    assert.equal(res.headers.get("content-type"), "text/event-stream");
    assert.equal(frames[0]?.event, "message_start");
    assert.equal(events[0].message.usage.input_tokens, 4);
    assert.equal(frames.at(-1)?.event, "message_stop");
    assert.deepEqual(events.at(-2).usage, { output_tokens: 3 });
  });
});
