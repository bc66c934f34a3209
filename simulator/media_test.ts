import assert from "node:assert/strict";
import {
  embeddingsBody,
  imagesBody,
  SPEECH_BYTES,
  transcriptionBody,
} from "./media.ts";

function decodeBase64(text: string): Uint8Array {
  return Uint8Array.from(atob(text), (char) => char.charCodeAt(0));
}

Deno.test("embeddingsBody() returns one 8-number vector per input", () => {
  const body = embeddingsBody(["one two", "three"], "embedder");

  assert.equal(body?.data.length, 2);
  assert.deepEqual(body?.data.map((d) => d.index), [0, 1]);
  assert.ok(body?.data.every((d) => d.embedding.length === 8));
  assert.deepEqual(body?.usage, { prompt_tokens: 3, total_tokens: 3 });
  assert.equal(body?.model, "embedder");
});

Deno.test("embeddingsBody() accepts a string and token arrays, and rejects others", () => {
  assert.equal(embeddingsBody("solo", "m")?.data.length, 1);
  assert.equal(embeddingsBody([1, 2, 3], "m")?.data.length, 1);
  assert.equal(embeddingsBody([[1, 2], [3]], "m")?.data.length, 2);
  assert.equal(embeddingsBody(42, "m"), null);
  assert.equal(embeddingsBody([{}], "m"), null);
});

Deno.test("imagesBody() returns n base64 PNG images, at most 4", () => {
  const body = imagesBody(9, 1_700_000_000);
  const png = decodeBase64(body.data[0]!.b64_json);

  assert.equal(body.data.length, 4);
  assert.deepEqual([...png.slice(0, 8)], [137, 80, 78, 71, 13, 10, 26, 10]);
  assert.equal(imagesBody(undefined, 0).data.length, 1);
});

Deno.test("transcriptionBody() names the file and its size", () => {
  const file = new File([new Uint8Array(5)], "clip.wav");

  assert.deepEqual(transcriptionBody(file), {
    text: "transcribed clip.wav (5 bytes)",
  });
});

Deno.test("SPEECH_BYTES starts with an ID3 tag", () => {
  assert.equal(new TextDecoder().decode(SPEECH_BYTES.slice(0, 3)), "ID3");
});
