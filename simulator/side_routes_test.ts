import assert from "node:assert/strict";
import { makeApp, post } from "./app_fixture.ts";

Deno.test("POST /v1/embeddings, /v1/rerank and count_tokens answer at once", async () => {
  const { app } = makeApp();

  const embeddings = await (await post(app, "/v1/embeddings", {
    model: "embed",
    input: ["a", "b"],
  })).json();
  const rerank = await (await post(app, "/rerank", {
    query: "green",
    documents: ["red", "green"],
  })).json();
  const count = await (await post(app, "/v1/messages/count_tokens", {
    messages: [{ role: "user", content: "three small words" }],
  })).json();
  const badInput = await post(app, "/v1/embeddings", { input: 7 });
  await badInput.body?.cancel();

  assert.equal(embeddings.data.length, 2);
  assert.equal(embeddings.model, "embed");
  assert.equal(rerank.results[0].index, 1);
  assert.deepEqual(count, { input_tokens: 3 });
  assert.equal(badInput.status, 400);
});

Deno.test("POST /v1/audio/transcriptions reads the multipart file", async () => {
  const { app, requestLines } = makeApp();
  const form = new FormData();
  form.append("model", "whisper");
  form.append("file", new File([new Uint8Array(42)], "a.wav"));

  const res = await app.fetch(
    new Request("http://127.0.0.1/v1/audio/transcriptions", {
      method: "POST",
      body: form,
    }),
  );

  assert.deepEqual(await res.json(), { text: "transcribed a.wav (42 bytes)" });
  assert.match(requestLines.text(), /model=whisper status=200/);
});

Deno.test("POST /v1/audio/transcriptions without a file gets 400", async () => {
  const { app } = makeApp();
  const form = new FormData();
  form.append("model", "whisper");

  const noFile = await app.fetch(
    new Request("http://127.0.0.1/v1/audio/transcriptions", {
      method: "POST",
      body: form,
    }),
  );
  const notMultipart = await post(app, "/v1/audio/transcriptions", {});

  assert.equal(noFile.status, 400);
  assert.match((await noFile.json()).error.message, /no "file" field/);
  assert.equal(notMultipart.status, 400);
  await notMultipart.body?.cancel();
});

Deno.test("POST /v1/audio/speech and /v1/images/generations return media", async () => {
  const { app } = makeApp();

  const speech = await post(app, "/v1/audio/speech", { input: "hello" });
  const audio = new Uint8Array(await speech.arrayBuffer());
  const images = await (await post(app, "/v1/images/generations", {
    prompt: "a llama",
  })).json();

  assert.equal(speech.headers.get("content-type"), "audio/mpeg");
  assert.ok(audio.length > 0);
  assert.equal(images.data.length, 1);
  assert.match(images.data[0].b64_json, /^iVBORw0KGgo/);
});
