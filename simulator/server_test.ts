import assert from "node:assert/strict";
import { LogBuffer, Logger } from "../log/mod.ts";
import { FakeClock } from "../tests/fake_clock.ts";
import { parseSimulatorArgs } from "./cli.ts";
import { SimulatorApp } from "./server.ts";
import { parseSseFrames } from "./sse.ts";

function makeApp(flags: string[] = []) {
  const clock = new FakeClock();
  const requestLines = new LogBuffer();
  const lifecycleLines = new LogBuffer();
  const exits: number[] = [];
  const app = new SimulatorApp(parseSimulatorArgs(["--port", "0", ...flags]), {
    requestLog: new Logger(requestLines),
    lifecycleLog: new Logger(lifecycleLines),
    exit: (code) => exits.push(code),
    clock,
  });
  return { app, clock, requestLines, lifecycleLines, exits };
}

function post(app: SimulatorApp, path: string, body: unknown) {
  return app.fetch(
    new Request(`http://127.0.0.1${path}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: typeof body === "string" ? body : JSON.stringify(body),
    }),
  );
}

function get(app: SimulatorApp, path: string) {
  return app.fetch(new Request(`http://127.0.0.1${path}`));
}

/** Reads `path` inside parsed JSON; undefined when any step is missing. */
function at(value: unknown, ...path: (string | number)[]): unknown {
  let here = value;
  for (const step of path) {
    if (typeof here !== "object" || here === null) return undefined;
    here = typeof step === "number" && Array.isArray(here)
      ? here.at(step)
      : (here as Record<string, unknown>)[step];
  }
  return here;
}

interface Generated {
  text: string;
  tokens: unknown;
}

/** How each generative endpoint's text reads, whole and streamed. */
const KINDS: {
  path: string;
  body: Record<string, unknown>;
  whole: (body: unknown) => Generated;
  streamed: (events: unknown[]) => Generated;
}[] = [
  {
    path: "/v1/chat/completions",
    body: { messages: [{ role: "user", content: "a b c" }] },
    whole: (b) => ({
      text: String(at(b, "choices", 0, "message", "content")),
      tokens: at(b, "usage", "completion_tokens"),
    }),
    streamed: (events) => ({
      text: events.map((e) => at(e, "choices", 0, "delta", "content") ?? "")
        .join(""),
      tokens: at(events.at(-1), "usage", "completion_tokens"),
    }),
  },
  {
    path: "/v1/completions",
    body: { prompt: "a b c" },
    whole: (b) => ({
      text: String(at(b, "choices", 0, "text")),
      tokens: at(b, "usage", "completion_tokens"),
    }),
    streamed: (events) => ({
      text: events.map((e) => at(e, "choices", 0, "text")).join(""),
      tokens: at(events.at(-1), "usage", "completion_tokens"),
    }),
  },
  {
    path: "/completion",
    body: { prompt: "a b c" },
    whole: (b) => ({
      text: String(at(b, "content")),
      tokens: at(b, "tokens_predicted"),
    }),
    streamed: (events) => ({
      text: events.map((e) => at(e, "content")).join(""),
      tokens: at(events.at(-1), "tokens_predicted"),
    }),
  },
  {
    path: "/infill",
    body: { input_prefix: "a", input_suffix: "b c" },
    whole: (b) => ({
      text: String(at(b, -1, "content")),
      tokens: at(b, -1, "timings", "predicted_n"),
    }),
    streamed: (events) => ({
      text: events.map((e) => at(e, "content")).join(""),
      tokens: at(events.at(-1), "timings", "predicted_n"),
    }),
  },
  {
    path: "/v1/messages",
    body: { max_tokens: 100, messages: [{ role: "user", content: "a b c" }] },
    whole: (b) => ({
      text: String(at(b, "content", 0, "text")),
      tokens: at(b, "usage", "output_tokens"),
    }),
    streamed: (events) => ({
      text: events.map((e) => at(e, "delta", "text") ?? "").join(""),
      tokens: at(
        events.find((e) => at(e, "type") === "message_delta"),
        "usage",
        "output_tokens",
      ),
    }),
  },
];

for (const kind of KINDS) {
  Deno.test(`POST ${kind.path} streams the same tokens it answers whole`, async () => {
    const { app } = makeApp(["--tokens", "7"]);

    const whole = await (await post(app, kind.path, kind.body)).json();
    const stream = await post(app, kind.path, { ...kind.body, stream: true });
    const events = parseSseFrames(await stream.text())
      .filter((frame) => frame.data !== "[DONE]")
      .map((frame) => JSON.parse(frame.data));

    assert.equal(stream.headers.get("content-type"), "text/event-stream");
    assert.deepEqual(kind.streamed(events), kind.whole(whole));
    assert.equal(kind.whole(whole).tokens, 7);
    assert.equal(kind.whole(whole).text.split(" ").length, 7);
  });
}

Deno.test("GET /health answers 503 until --load-ms has passed, then 200", async () => {
  const { app, clock } = makeApp(["--load-ms", "1000"]);

  const loading = await get(app, "/health");
  clock.tick(999);
  const stillLoading = await get(app, "/health");
  clock.tick(1);
  const ready = await get(app, "/health");

  assert.equal(loading.status, 503);
  assert.deepEqual(await loading.json(), { status: "loading model" });
  assert.equal(stillLoading.status, 503);
  await stillLoading.body?.cancel();
  assert.equal(ready.status, 200);
  assert.deepEqual(await ready.json(), { status: "ok" });
});

Deno.test("GET /health answers 503 for ever with --never-healthy", async () => {
  const { app, clock } = makeApp(["--never-healthy"]);

  clock.tick(3_600_000);
  const res = await get(app, "/health");
  await res.body?.cancel();

  assert.equal(res.status, 503);
});

Deno.test("POST /v1/chat/completions honours max_tokens, max_completion_tokens and n_predict", async () => {
  const { app } = makeApp();
  const messages = [{ role: "user", content: "hello" }];

  const replies = await Promise.all([
    post(app, "/v1/chat/completions", { messages, max_tokens: 3 }),
    post(app, "/v1/chat/completions", { messages, max_completion_tokens: 2 }),
    post(app, "/v1/chat/completions", { messages, n_predict: 1 }),
    post(app, "/v1/chat/completions", { messages, max_tokens: 500 }),
  ]);
  const bodies = await Promise.all(replies.map((r) => r.json()));

  assert.deepEqual(
    bodies.map((b) => [b.usage.completion_tokens, b.choices[0].finish_reason]),
    [[3, "length"], [2, "length"], [1, "length"], [12, "stop"]],
  );
});

Deno.test("POST /v1/chat/completions reports prompt words as prompt tokens in usage and timings", async () => {
  const { app } = makeApp();

  const res = await post(app, "/v1/chat/completions", {
    messages: [
      { role: "system", content: "be kind" },
      { role: "user", content: "what is a llama" },
    ],
  });
  const body = await res.json();

  assert.equal(body.usage.prompt_tokens, 6);
  assert.equal(body.usage.total_tokens, 18);
  assert.equal(body.timings.prompt_n, 6);
  assert.equal(body.timings.predicted_n, 12);
  assert.equal(body.timings.cache_n, 0);
  assert.ok(body.timings.predicted_per_second > 0);
});

Deno.test("POST /v1/chat/completions uses the request's model, else --model", async () => {
  const { app, requestLines } = makeApp(["--model", "fallback"]);

  const named = await (await post(app, "/v1/chat/completions", {
    model: "llama-8b",
  })).json();
  const unnamed = await (await post(app, "/v1/chat/completions", {})).json();

  assert.equal(named.model, "llama-8b");
  assert.equal(unnamed.model, "fallback");
  assert.match(
    requestLines.text(),
    /\[INFO\] request method=POST path=\/v1\/chat\/completions model=llama-8b status=200\n/,
  );
});

Deno.test("POST /v1/chat/completions gives the same reply to the same prompt", async () => {
  const { app } = makeApp();
  const body = { messages: [{ role: "user", content: "same words" }] };

  const first = await (await post(app, "/v1/chat/completions", body)).json();
  const second = await (await post(app, "/v1/chat/completions", body)).json();

  assert.equal(
    first.choices[0].message.content,
    second.choices[0].message.content,
  );
  assert.notEqual(first.id, second.id);
});

Deno.test("malformed JSON gets 400 with an OpenAI-style error", async () => {
  const { app } = makeApp();

  const res = await post(app, "/v1/chat/completions", "{not json");
  const body = await res.json();

  assert.equal(res.status, 400);
  assert.equal(body.error.type, "invalid_request_error");
  assert.equal(body.error.code, 400);
  assert.equal(body.error.param, null);
  assert.match(body.error.message, /^Cannot parse the request body as JSON: /);
});

Deno.test("a JSON body that is not an object gets 400", async () => {
  const { app } = makeApp();

  const res = await post(app, "/v1/completions", "[1, 2]");
  await res.body?.cancel();

  assert.equal(res.status, 400);
});

Deno.test("an unknown path gets 404 and a known path with another method 405", async () => {
  const { app } = makeApp();

  const missing = await get(app, "/v2/nothing");
  const wrongMethod = await get(app, "/v1/chat/completions");

  assert.equal(missing.status, 404);
  assert.equal((await missing.json()).error.type, "not_found_error");
  assert.equal(wrongMethod.status, 405);
  assert.equal(wrongMethod.headers.get("allow"), "POST");
  await wrongMethod.body?.cancel();
});

Deno.test("/debug/echo answers with the request exactly as it arrived", async () => {
  const { app } = makeApp();

  const res = await app.fetch(
    new Request("http://127.0.0.1:9/debug/echo/a%2Fb/c?x=1&y=%20", {
      method: "PUT",
      headers: { "x-forwarded-for": "10.0.0.1", "content-type": "text/plain" },
      body: "raw body",
    }),
  );
  const body = await res.json();

  assert.equal(body.method, "PUT");
  assert.equal(body.path, "/debug/echo/a%2Fb/c");
  assert.equal(body.query, "x=1&y=%20");
  assert.equal(body.headers["x-forwarded-for"], "10.0.0.1");
  assert.equal(body.body, "raw body");
});

Deno.test("GET /v1/models lists the --model name", async () => {
  const { app } = makeApp(["--model", "qwen-32b"]);

  const body = await (await get(app, "/v1/models")).json();

  assert.equal(body.object, "list");
  assert.deepEqual(
    body.data.map((m: Record<string, unknown>) => [m.id, m.object, m.owned_by]),
    [["qwen-32b", "model", "simulator"]],
  );
});

Deno.test("GET /props and GET / answer like llama-server", async () => {
  const { app } = makeApp(["--model", "qwen"]);

  const props = await (await get(app, "/props")).json();
  const page = await get(app, "/");

  assert.equal(props.model_path, "/models/qwen.gguf");
  assert.ok(props.default_generation_settings);
  assert.match(page.headers.get("content-type") ?? "", /^text\/html/);
  assert.match(await page.text(), /llama-swap simulator/);
});

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

Deno.test("--crash-after asks to exit with 70 once that many completions were answered", async () => {
  const { app, exits, lifecycleLines } = makeApp(["--crash-after", "2"]);

  await (await post(app, "/v1/embeddings", { input: "not counted" })).json();
  await (await post(app, "/v1/chat/completions", {})).json();
  assert.deepEqual(exits, []);
  await (await post(app, "/completion", { stream: true })).text();

  assert.deepEqual(exits, [70]);
  assert.match(lifecycleLines.text(), /simulated crash after answering/);
});

Deno.test("--crash-mid-stream asks to exit with 71 and drops the stream", async () => {
  const { app, exits } = makeApp(["--crash-mid-stream", "1"]);

  const res = await post(app, "/v1/chat/completions", { stream: true });

  await assert.rejects(res.text());
  assert.deepEqual(exits, [71]);
  assert.deepEqual((await (await get(app, "/debug/stats")).json()).active, 0);
});

Deno.test("GET /debug/stats counts requests other than health checks", async () => {
  const { app } = makeApp();

  await (await get(app, "/health")).body?.cancel();
  await (await post(app, "/v1/chat/completions", {})).body?.cancel();
  await (await get(app, "/v1/models")).body?.cancel();
  const stats = await (await get(app, "/debug/stats")).json();

  assert.deepEqual(stats, { requests: 2, cancelled: 0, active: 0 });
});
