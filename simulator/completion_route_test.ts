import assert from "node:assert/strict";
import { at, get, makeApp, post } from "./app_fixture.ts";
import { parseSseFrames } from "./sse.ts";

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
  {
    path: "/v1/responses",
    body: { input: "a b c" },
    whole: (b) => ({
      text: String(at(b, "output", 0, "content", 0, "text")),
      tokens: at(b, "usage", "output_tokens"),
    }),
    streamed: (events) => ({
      text: events
        .filter((e) => at(e, "type") === "response.output_text.delta")
        .map((e) => at(e, "delta")).join(""),
      tokens: at(events.at(-1), "response", "usage", "output_tokens"),
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
