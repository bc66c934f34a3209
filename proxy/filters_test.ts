import assert from "node:assert/strict";
import type { Filters } from "../config/types.ts";
import { extractModel, type ParsedBody } from "./extract_model.ts";
import { rewriteBody, rewriteQueryModel } from "./filters.ts";

const NONE: Filters = {
  stripParams: "",
  strip: [],
  setParams: {},
  setParamsByID: {},
};

async function jsonBody(value: unknown): Promise<ParsedBody> {
  const extracted = await extractModel({
    method: "POST",
    url: new URL("http://x/v1/chat/completions"),
    contentType: "application/json",
    body: new TextEncoder().encode(JSON.stringify(value)),
  });
  return extracted.body;
}

function decode(bytes: Uint8Array | null): unknown {
  return JSON.parse(new TextDecoder().decode(bytes!));
}

Deno.test("rewriteBody() returns an untouched JSON body byte for byte", async () => {
  const body = await jsonBody({ model: "m", temperature: 0.5 });

  const out = await rewriteBody(body, {
    modelName: null,
    filters: NONE,
    requested: "m",
  });

  assert.equal(out.bytes, body.kind === "json" ? body.bytes : null);
  assert.equal(out.contentType, null);
});

Deno.test("rewriteBody() applies useModelName, strip, setParams and setParamsByID in order", async () => {
  const filters: Filters = {
    stripParams: "temperature, sampling.top_k",
    strip: ["sampling.top_k", "temperature"],
    setParams: { top_p: 0.5, "chat_template_kwargs.enable_thinking": true },
    setParamsByID: {
      fast: { top_p: 0.1, "chat_template_kwargs.enable_thinking": false },
    },
  };
  const body = await jsonBody({
    model: "fast",
    temperature: 0.7,
    sampling: { top_k: 40, min_p: 0.1 },
  });

  const out = await rewriteBody(body, {
    modelName: "real-model",
    filters,
    requested: "fast",
  });

  assert.deepEqual(decode(out.bytes), {
    model: "real-model",
    sampling: { min_p: 0.1 },
    top_p: 0.1,
    chat_template_kwargs: { enable_thinking: false },
  });
});

Deno.test("rewriteBody() never strips or sets the model key", async () => {
  const filters: Filters = {
    stripParams: "model",
    strip: ["model"],
    setParams: { model: "other" },
    setParamsByID: {},
  };
  const body = await jsonBody({ model: "m" });

  const out = await rewriteBody(body, {
    modelName: null,
    filters,
    requested: "m",
  });

  assert.deepEqual(decode(out.bytes), { model: "m" });
});

Deno.test("rewriteBody() uses setParamsByID only for the name the client sent", async () => {
  const filters: Filters = {
    ...NONE,
    setParams: { top_p: 0.5 },
    setParamsByID: { alias: { top_p: 0.1 } },
  };
  const body = await jsonBody({ model: "real" });

  const out = await rewriteBody(body, {
    modelName: null,
    filters,
    requested: "real",
  });

  assert.deepEqual(decode(out.bytes), { model: "real", top_p: 0.5 });
});

Deno.test("rewriteBody() rebuilds a multipart form with the new model and the same file", async () => {
  const form = new FormData();
  form.append("model", "whisper");
  form.append("language", "en");
  form.append("file", new File(["RIFF-bytes"], "a.wav", { type: "audio/wav" }));
  const request = new Request("http://x/", { method: "POST", body: form });
  const extracted = await extractModel({
    method: "POST",
    url: new URL("http://x/v1/audio/transcriptions"),
    contentType: request.headers.get("content-type")!,
    body: new Uint8Array(await request.arrayBuffer()),
  });

  const out = await rewriteBody(extracted.body, {
    modelName: "whisper-large-v3",
    filters: NONE,
    requested: "whisper",
  });

  assert.match(out.contentType!, /^multipart\/form-data; boundary=/);
  const rebuilt = await new Request("http://x/", {
    method: "POST",
    headers: { "content-type": out.contentType! },
    body: out.bytes,
  }).formData();
  assert.deepEqual([...rebuilt.keys()], ["model", "language", "file"]);
  assert.equal(rebuilt.get("model"), "whisper-large-v3");
  assert.equal(rebuilt.get("language"), "en");
  const file = rebuilt.get("file") as File;
  assert.equal(file.name, "a.wav");
  assert.equal(file.type, "audio/wav");
  assert.equal(await file.text(), "RIFF-bytes");
});

Deno.test("rewriteBody() does not apply strip or set filters to a multipart form", async () => {
  const form = new FormData();
  form.append("model", "whisper");
  form.append("temperature", "0.3");
  const request = new Request("http://x/", { method: "POST", body: form });
  const bytes = new Uint8Array(await request.arrayBuffer());
  const extracted = await extractModel({
    method: "POST",
    url: new URL("http://x/v1/audio/transcriptions"),
    contentType: request.headers.get("content-type")!,
    body: bytes,
  });
  const filters: Filters = {
    ...NONE,
    strip: ["temperature"],
    setParams: { x: 1 },
  };

  const out = await rewriteBody(extracted.body, {
    modelName: null,
    filters,
    requested: "whisper",
  });

  assert.equal(out.bytes, bytes);
  assert.equal(out.contentType, null);
});

Deno.test("rewriteBody() gives an urlencoded form formModelName, never modelName", async () => {
  const bytes = new TextEncoder().encode("model=p1%2Ftts&voice=a");
  const extracted = await extractModel({
    method: "POST",
    url: new URL("http://x/v1/audio/voices"),
    contentType: "application/x-www-form-urlencoded",
    body: bytes,
  });
  const rewrite = { modelName: "tts", filters: NONE, requested: "p1/tts" };

  const peer = await rewriteBody(extracted.body, {
    ...rewrite,
    formModelName: "tts",
  });
  const local = await rewriteBody(extracted.body, rewrite);

  assert.equal(new TextDecoder().decode(peer.bytes!), "model=tts&voice=a");
  assert.equal(local.bytes, bytes);
});

Deno.test("rewriteQueryModel() replaces only an existing model parameter", () => {
  assert.equal(
    rewriteQueryModel("?model=p1%2Ftts&x=1", "tts"),
    "?model=tts&x=1",
  );
  assert.equal(rewriteQueryModel("?x=1", "tts"), "?x=1");
  assert.equal(rewriteQueryModel("", "tts"), "");
});

Deno.test("rewriteBody() changes only what the filters name, every number kept as the client wrote it", async () => {
  const text = '{"model":"fast", "seed": 12345678901234567890, "t": 1.0, ' +
    '"big": 1e400, "temperature": 0.7}';
  const body = await extractModel({
    method: "POST",
    url: new URL("http://x/v1/chat/completions"),
    contentType: "application/json",
    body: new TextEncoder().encode(text),
  });

  const out = await rewriteBody(body.body, {
    modelName: "real-model",
    filters: { ...NONE, strip: ["temperature"], setParams: { top_k: 20 } },
    requested: "fast",
  });

  assert.equal(
    new TextDecoder().decode(out.bytes!),
    '{"model":"real-model", "seed": 12345678901234567890, "t": 1.0, ' +
      '"big": 1e400,"top_k":20}',
  );
});
