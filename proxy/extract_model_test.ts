import assert from "node:assert/strict";
import type { HttpError } from "./errors.ts";
import { extractModel } from "./extract_model.ts";

const encoder = new TextEncoder();

function input(
  method: string,
  url: string,
  contentType = "",
  body: string | Uint8Array<ArrayBuffer> | null = null,
) {
  return {
    method,
    url: new URL(url, "http://proxy.test"),
    contentType,
    body: typeof body === "string" ? encoder.encode(body) : body,
  };
}

async function multipart(
  fields: Record<string, string | File>,
): Promise<{ contentType: string; bytes: Uint8Array<ArrayBuffer> }> {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  const request = new Request("http://x/", { method: "POST", body: form });
  return {
    contentType: request.headers.get("content-type")!,
    bytes: new Uint8Array(await request.arrayBuffer()),
  };
}

Deno.test("extractModel() reads model and stream from a JSON body", async () => {
  const result = await extractModel(input(
    "POST",
    "/v1/chat/completions",
    "application/json; charset=utf-8",
    '{"model":"llama3","stream":true}',
  ));

  assert.equal(result.model, "llama3");
  assert.equal(result.streaming, true);
  assert.equal(result.body.kind, "json");
});

Deno.test("extractModel() treats a JSON stream flag of false or absent as not streaming", async () => {
  for (const body of ['{"model":"m","stream":false}', '{"model":"m"}']) {
    const result = await extractModel(
      input("POST", "/v1/completions", "application/json", body),
    );

    assert.equal(result.streaming, false, body);
  }
});

Deno.test("extractModel() reads a JSON stream flag given as text or a number as llama-swap does", async () => {
  const cases: [string, boolean][] = [
    ['"1"', true],
    ['"t"', true],
    ['"TRUE"', true],
    ['"True"', true],
    ["2", true],
    ['"yes"', false],
    ['"0"', false],
    ['"tRuE"', true],
    ['"tr"', false],
    ["0", false],
    ["null", false],
  ];
  for (const [flag, streaming] of cases) {
    const result = await extractModel(input(
      "POST",
      "/v1/chat/completions",
      "application/json",
      `{"model":"m","stream":${flag}}`,
    ));

    assert.equal(result.streaming, streaming, flag);
  }
});

Deno.test("extractModel() stringifies a numeric JSON model", async () => {
  const result = await extractModel(
    input("POST", "/v1/completions", "application/json", '{"model":7}'),
  );

  assert.equal(result.model, "7");
});

Deno.test("extractModel() reads a JSON model that is an object or array as its JSON text", async () => {
  for (
    const [body, model] of [
      ['{"model":{"a":1}}', '{"a":1}'],
      ['{"model":["x"]}', '["x"]'],
      ['{"model":true}', "true"],
    ]
  ) {
    const result = await extractModel(
      input("POST", "/v1/completions", "application/json", body!),
    );

    assert.equal(result.model, model, body);
  }
});

Deno.test("extractModel() reads a form's stream flag on its own, the field before ?stream=", async () => {
  const form = "application/x-www-form-urlencoded";
  const cases: [string, string, boolean][] = [
    ["/v1/audio/speech?stream=true", "model=tts", true],
    ["/v1/audio/speech?model=tts", "stream=true", true],
    ["/v1/audio/speech?stream=true", "model=tts&stream=false", false],
  ];
  for (const [url, body, streaming] of cases) {
    const result = await extractModel(input("POST", url, form, body));

    assert.equal(result.model, "tts", `${url} ${body}`);
    assert.equal(result.streaming, streaming, `${url} ${body}`);
  }
  const { contentType, bytes } = await multipart({ model: "whisper" });
  const multi = await extractModel(
    input("POST", "/v1/audio/transcriptions?stream=true", contentType, bytes),
  );
  assert.equal(multi.streaming, true);
});

Deno.test("extractModel() answers 400 for malformed JSON", async () => {
  await assert.rejects(
    extractModel(
      input("POST", "/v1/chat/completions", "application/json", "{"),
    ),
    (error: HttpError) => {
      assert.equal(error.status, 400);
      assert.match(error.message, /^invalid JSON body: /);
      return true;
    },
  );
});

Deno.test("extractModel() answers 400 for a JSON body that is not an object", async () => {
  await assert.rejects(
    extractModel(input("POST", "/v1/embeddings", "application/json", "[1]")),
    { status: 400, message: "invalid JSON body: expected an object" },
  );
});

Deno.test("extractModel() answers 404 when no model is named", async () => {
  for (const body of ["{}", '{"model":""}', '{"model":null}']) {
    await assert.rejects(
      extractModel(
        input("POST", "/v1/chat/completions", "application/json", body),
      ),
      { status: 404, message: "no model id could be identified" },
      body,
    );
  }
});

Deno.test("extractModel() reads GET requests from the query", async () => {
  const result = await extractModel(
    input("GET", "/v1/audio/voices?model=org/tts&stream=true"),
  );

  assert.equal(result.model, "org/tts");
  assert.equal(result.streaming, true);
  assert.equal(result.body.kind, "none");
});

Deno.test("extractModel() reads a multipart form field and keeps the bytes", async () => {
  const { contentType, bytes } = await multipart({
    model: "whisper",
    stream: "true",
    file: new File(["RIFF"], "a.wav", { type: "audio/wav" }),
  });

  const result = await extractModel(
    input("POST", "/v1/audio/transcriptions", contentType, bytes),
  );

  assert.equal(result.model, "whisper");
  assert.equal(result.streaming, true);
  assert.equal(result.body.kind, "multipart");
  if (result.body.kind === "multipart") assert.equal(result.body.bytes, bytes);
});

Deno.test("extractModel() answers 400 for a broken multipart form", async () => {
  await assert.rejects(
    extractModel(input(
      "POST",
      "/v1/audio/transcriptions",
      "multipart/form-data; boundary=xyz",
      "not a form at all",
    )),
    (error: HttpError) => {
      assert.equal(error.status, 400);
      assert.match(error.message, /^invalid multipart form: /);
      return true;
    },
  );
});

Deno.test("extractModel() reads an urlencoded form field", async () => {
  const result = await extractModel(input(
    "POST",
    "/v1/audio/voices",
    "application/x-www-form-urlencoded",
    "model=tts&stream=true",
  ));

  assert.equal(result.model, "tts");
  assert.equal(result.streaming, true);
  assert.equal(result.body.kind, "form");
});

Deno.test("extractModel() falls back to ?model= for a body without a model", async () => {
  for (const type of ["", "text/plain"]) {
    const result = await extractModel(
      input("POST", "/v1/audio/voices?model=public", type, "hello"),
    );

    assert.equal(result.model, "public", `content type "${type}"`);
  }
});

Deno.test("extractModel() takes a JSON request's model from its body only, never from ?model=", async () => {
  const url = "/v1/chat/completions?model=public";
  for (const body of ['{"a":1}', '{"model":""}', ""]) {
    await assert.rejects(
      extractModel(input("POST", url, "application/json", body)),
      { status: 404, message: "no model id could be identified" },
      body,
    );
  }
});

Deno.test("extractModel() does not parse JSON sent without a JSON content type", async () => {
  await assert.rejects(
    extractModel(
      input("POST", "/v1/chat/completions", "text/plain", '{"model":"m"}'),
    ),
    { status: 404 },
  );
});
