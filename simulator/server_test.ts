import assert from "node:assert/strict";
import { get, makeApp, post } from "./app_fixture.ts";

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

Deno.test("GET /health is logged only when its answer changes", async () => {
  const { app, clock, requestLines } = makeApp(["--load-ms", "100"]);

  for (let probe = 0; probe < 3; probe++) {
    await (await get(app, "/health")).body?.cancel();
  }
  clock.tick(100);
  for (let probe = 0; probe < 3; probe++) {
    await (await get(app, "/health")).body?.cancel();
  }

  const lines = requestLines.text().trim().split("\n");
  assert.equal(lines.length, 2);
  assert.match(lines[0]!, /path=\/health .*status=503/);
  assert.match(lines[1]!, /path=\/health .*status=200/);
});

Deno.test("GET /health answers 503 for ever with --never-healthy", async () => {
  const { app, clock } = makeApp(["--never-healthy"]);

  clock.tick(3_600_000);
  const res = await get(app, "/health");
  await res.body?.cancel();

  assert.equal(res.status, 503);
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

Deno.test("GET /debug/stats counts requests other than health checks", async () => {
  const { app } = makeApp();

  await (await get(app, "/health")).body?.cancel();
  await (await post(app, "/v1/chat/completions", {})).body?.cancel();
  await (await get(app, "/v1/models")).body?.cancel();
  const stats = await (await get(app, "/debug/stats")).json();

  assert.deepEqual(stats, { requests: 2, cancelled: 0, active: 0 });
});
