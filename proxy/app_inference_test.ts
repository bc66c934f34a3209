import assert from "node:assert/strict";
import {
  jsonPost,
  routerError,
  testConfig,
  testModel,
  testProxy,
} from "../tests/proxy_fakes.ts";

Deno.test("POST /v1/chat/completions forwards to the local model and returns its answer", async () => {
  const proxy = testProxy(testConfig([testModel("local-model")]));
  proxy.upstream.respond = () => Response.json({ answer: 42 });

  const res = await proxy.app.request(
    "/v1/chat/completions",
    jsonPost({ model: "local-model", messages: [] }),
  );

  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), { answer: 42 });
  assert.equal(
    proxy.upstream.last.url,
    "http://upstream-local-model.test/v1/chat/completions",
  );
  assert.deepEqual(proxy.router.calls.map((c) => c.model), ["local-model"]);
});

Deno.test("POST /v1/chat/completions sends the body byte for byte when no filter applies", async () => {
  const proxy = testProxy(testConfig([testModel("m1")]));
  const body = '{ "model" : "m1",  "messages": [] }';

  await proxy.app.request("/v1/chat/completions", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body,
  });

  assert.equal(proxy.upstream.last.text, body);
});

Deno.test("POST /v1/chat/completions answers 404 for an unknown model", async () => {
  const proxy = testProxy(testConfig([testModel("m1")]));

  const res = await proxy.app.request(
    "/v1/chat/completions",
    jsonPost({ model: "unknown-model" }),
  );

  assert.equal(res.status, 404);
  assert.deepEqual(await res.json(), {
    src: "llama-swap",
    error: {
      message: "no router for requested model",
      type: "invalid_request_error",
      param: null,
      code: "not_found",
    },
  });
  assert.equal(proxy.upstream.hits.length, 0);
});

Deno.test("POST /v1/chat/completions answers 404 when no model is named", async () => {
  const proxy = testProxy(testConfig([testModel("m1")]));

  const res = await proxy.app.request("/v1/chat/completions", jsonPost({}));

  assert.equal(res.status, 404);
  assert.equal(
    (await res.json()).error.message,
    "no model id could be identified",
  );
});

Deno.test("POST /v1/chat/completions answers 400 for malformed JSON", async () => {
  const proxy = testProxy(testConfig([testModel("m1")]));

  const res = await proxy.app.request("/v1/chat/completions", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: '{"model": "m1",',
  });

  assert.equal(res.status, 400);
  assert.match((await res.json()).error.message, /^invalid JSON body: /);
});

Deno.test("a body over requestBodyLimit gets 413 in the envelope and is never forwarded", async () => {
  const proxy = testProxy(
    testConfig([testModel("m1")], { requestBodyLimit: 64 }),
  );

  const res = await proxy.app.request(
    "/v1/chat/completions",
    jsonPost({ model: "m1", prompt: "x".repeat(100) }),
  );

  assert.equal(res.status, 413);
  assert.equal((await res.json()).error.type, "invalid_request_error");
  assert.equal(proxy.router.calls.length, 0);
  assert.equal(proxy.upstream.hits.length, 0);
});

Deno.test("POST /audioapi/v1/tasks/run reaches the upstream as /v1/tasks/run", async () => {
  const proxy = testProxy(testConfig([testModel("local-audio")]));

  await proxy.app.request(
    "/audioapi/v1/tasks/run",
    jsonPost({ model: "local-audio" }),
  );

  assert.equal(new URL(proxy.upstream.last.url).pathname, "/v1/tasks/run");
});

Deno.test("the versionless /v/ routes reach the upstream without /v", async () => {
  const proxy = testProxy(testConfig([testModel("m1")]));

  for (const path of ["/v/chat/completions", "/v/messages/count_tokens"]) {
    await proxy.app.request(path, jsonPost({ model: "m1" }));

    assert.equal(new URL(proxy.upstream.last.url).pathname, path.slice(2));
  }
});

Deno.test("every model-addressed POST route forwards its own path", async () => {
  const proxy = testProxy(testConfig([testModel("m1")]));
  const paths = [
    "/v1/completions",
    "/v1/responses",
    "/v1/embeddings",
    "/v1/rerank",
    "/v1/reranking",
    "/rerank",
    "/reranking",
    "/infill",
    "/completion",
    "/v1/messages",
    "/v1/messages/count_tokens",
    "/v1/audio/speech",
    "/v1/audio/voices",
    "/v1/images/generations",
    "/sdapi/v1/txt2img",
    "/sdapi/v1/img2img",
  ];

  for (const path of paths) {
    const res = await proxy.app.request(path, jsonPost({ model: "m1" }));

    assert.equal(res.status, 200, path);
    assert.equal(new URL(proxy.upstream.last.url).pathname, path);
  }
});

Deno.test("GET routes take the model from the query and forward the query unchanged", async () => {
  const proxy = testProxy(testConfig([testModel("m1")]));

  for (const path of ["/v1/audio/voices", "/sdapi/v1/loras", "/props"]) {
    const res = await proxy.app.request(`${path}?model=m1&x=%2F`);

    assert.equal(res.status, 200, path);
    assert.equal(
      proxy.upstream.last.url,
      `http://upstream-m1.test${path}?model=m1&x=%2F`,
    );
    assert.equal(proxy.upstream.last.method, "GET");
  }
});

Deno.test("GET /props without ?model= answers 404", async () => {
  const proxy = testProxy(testConfig([testModel("m1")]));

  const res = await proxy.app.request("/props");

  assert.equal(res.status, 404);
});

Deno.test("a POST without a JSON content type takes ?model= from the URL", async () => {
  const proxy = testProxy(testConfig([testModel("public")]));

  const res = await proxy.app.request("/v1/audio/voices?model=public", {
    method: "POST",
    headers: { "content-type": "text/plain" },
    body: "hello",
  });

  assert.equal(res.status, 200);
  assert.equal(proxy.upstream.last.text, "hello");
});

Deno.test("an alias routes to the real model and filters run in order", async () => {
  const model = testModel("real", {
    aliases: ["alias"],
    useModelName: "real-model",
    filters: {
      stripParams: "temperature",
      strip: ["temperature"],
      setParams: { top_p: 0.5, "kwargs.think": true },
      setParamsByID: { alias: { top_p: 0.1 } },
    },
  });
  const proxy = testProxy(testConfig([model]));

  await proxy.app.request(
    "/v1/chat/completions",
    jsonPost({ model: "alias", temperature: 0.9, messages: [] }),
  );

  assert.deepEqual(proxy.router.calls.map((c) => c.model), ["real"]);
  assert.deepEqual(proxy.upstream.lastJson, {
    model: "real-model",
    messages: [],
    top_p: 0.1,
    kwargs: { think: true },
  });
});

Deno.test("a multipart transcription routes by its form field and gets useModelName", async () => {
  const proxy = testProxy(
    testConfig([testModel("whisper", { useModelName: "whisper-large-v3" })]),
  );
  const form = new FormData();
  form.append("model", "whisper");
  form.append("language", "en");
  form.append("file", new File(["RIFF-audio"], "a.wav", { type: "audio/wav" }));

  const res = await proxy.app.request("/v1/audio/transcriptions", {
    method: "POST",
    body: form,
  });

  assert.equal(res.status, 200);
  assert.deepEqual(proxy.router.calls.map((c) => c.model), ["whisper"]);
  const sent = proxy.upstream.last;
  const received = await new Request("http://x/", {
    method: "POST",
    headers: { "content-type": sent.headers.get("content-type")! },
    body: sent.body,
  }).formData();
  assert.equal(received.get("model"), "whisper-large-v3");
  assert.equal(received.get("language"), "en");
  const file = received.get("file") as File;
  assert.equal(file.name, "a.wav");
  assert.equal(await file.text(), "RIFF-audio");
});

Deno.test("the router's 429 is answered at once with Retry-After and concurrency_limit", async () => {
  const proxy = testProxy(testConfig([testModel("m1")]));
  proxy.router.reject = routerError(
    429,
    "concurrency_limit",
    "Too many requests",
    1,
  );

  const res = await proxy.app.request(
    "/v1/chat/completions",
    jsonPost({ model: "m1" }, { accept: "text/plain" }),
  );

  assert.equal(res.status, 429);
  assert.equal(res.headers.get("retry-after"), "1");
  assert.equal(res.headers.get("content-type"), "application/json");
  const body = await res.json();
  assert.equal(body.error.message, "Too many requests");
  assert.equal(body.error.type, "rate_limit_error");
  assert.equal(body.error.code, "concurrency_limit");
});

Deno.test("the router's admission errors keep their statuses", async () => {
  const proxy = testProxy(testConfig([testModel("m1")]));
  const cases: [Error, number, RegExp][] = [
    [
      routerError(404, "model_not_found", "x"),
      404,
      /^no local server found for requested model$/,
    ],
    [
      routerError(503, "shutting_down", "the router is shutting down"),
      503,
      /shutting down/,
    ],
  ];

  for (const [error, status, message] of cases) {
    proxy.router.reject = error;

    const res = await proxy.app.request(
      "/v1/completions",
      jsonPost({ model: "m1" }),
    );

    assert.equal(res.status, status);
    assert.match((await res.json()).error.message, message);
  }
});
