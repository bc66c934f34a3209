import assert from "node:assert/strict";
import { testConfig, testModel, testPeer } from "../tests/proxy_fakes.ts";
import { BodyReader, observedProxy } from "./test_utils.ts";

const MODELS = testConfig([
  testModel("mymodel", { aliases: ["nick"] }),
  testModel("author/model"),
], { peers: [testPeer("peer1", ["remote"])] });

Deno.test("GET /logs answers the combined history as plain text", async () => {
  using proxy = observedProxy(testConfig([]));
  proxy.logs.proxy.write("a log line");

  const res = await proxy.app.request("/logs");

  assert.equal(res.status, 200);
  assert.match(res.headers.get("content-type")!, /^text\/plain/);
  assert.equal(await res.text(), "a log line");
});

Deno.test("GET /logs sends browsers asking for HTML to /ui/", async () => {
  using proxy = observedProxy(testConfig([]));

  const res = await proxy.app.request("/logs", {
    headers: { accept: "text/html,application/xhtml+xml" },
  });

  assert.equal(res.status, 302);
  assert.equal(res.headers.get("location"), "/ui/");
});

Deno.test("GET /logs/stream sends history first, then each new write", async () => {
  using proxy = observedProxy(testConfig([]));
  proxy.logs.proxy.write("before\n");

  const res = await proxy.app.request("/logs/stream");
  const body = new BodyReader(res.body);

  assert.equal(res.status, 200);
  assert.equal(res.headers.get("content-type"), "text/plain; charset=utf-8");
  assert.equal(res.headers.get("x-content-type-options"), "nosniff");
  assert.equal(res.headers.get("x-accel-buffering"), "no");
  assert.equal(await body.next(), "before\n");

  proxy.logs.proxy.write("after\n");

  assert.equal(await body.next(), "after\n");
  await body.cancel();
  assert.equal(proxy.logs.combined.subscriberCount, 0);
});

Deno.test("GET /logs/stream?no-history sends only new writes", async () => {
  using proxy = observedProxy(testConfig([]));
  proxy.logs.proxy.write("old\n");

  const res = await proxy.app.request("/logs/stream/proxy?no-history");
  const body = new BodyReader(res.body);
  proxy.logs.proxy.write("new\n");

  assert.equal(await body.next(), "new\n");
  await body.cancel();
});

Deno.test("GET /logs/stream/upstream streams every model's output", async () => {
  using proxy = observedProxy(MODELS);
  proxy.logs.model("mymodel").write("from mymodel\n");

  const res = await proxy.app.request("/logs/stream/upstream");
  const body = new BodyReader(res.body);

  assert.equal(await body.next(), "from mymodel\n");
  await body.cancel();
});

Deno.test("GET /logs/stream/<model> streams that model's log by ID, alias or multi-segment ID", async () => {
  using proxy = observedProxy(MODELS);
  proxy.logs.model("mymodel").write("hello from model");
  proxy.logs.model("author/model").write("hello from author");

  for (
    const [path, expected] of [
      ["/logs/stream/mymodel", "hello from model"],
      ["/logs/stream/nick", "hello from model"],
      ["/logs/stream/author/model", "hello from author"],
      ["/logs/stream/author%2Fmodel", "hello from author"],
    ]
  ) {
    const res = await proxy.app.request(path!);
    const body = new BodyReader(res.body);

    assert.equal(res.status, 200, path);
    assert.equal(await body.next(), expected, path);
    await body.cancel();
  }
});

Deno.test("GET /logs/stream/<id> answers 400 for an unknown model, a peer model or a bad escape", async () => {
  using proxy = observedProxy(MODELS);

  for (
    const path of [
      "/logs/stream/no-such-model",
      "/logs/stream/peer1/remote",
      "/logs/stream/%E0%A4%A",
    ]
  ) {
    const res = await proxy.app.request(path);

    assert.equal(res.status, 400, path);
    assert.deepEqual(await res.json(), {
      src: "llama-swap",
      error: {
        message: "invalid logger. Use 'proxy', 'upstream' or a model's ID",
        type: "invalid_request_error",
        param: null,
        code: "bad_request",
      },
    });
  }
});

Deno.test("Observability.closeStreams() ends open log streams and refuses new ones", async () => {
  using proxy = observedProxy(testConfig([]));
  const res = await proxy.app.request("/logs/stream?no-history");
  const body = new BodyReader(res.body);

  proxy.observability.closeStreams();

  assert.equal(await body.next(), null);
  const later = await proxy.app.request("/logs/stream");
  assert.equal(await later.text(), "");
  assert.equal(proxy.logs.proxy.subscriberCount, 2); // hub and event forwarder
});

Deno.test("HEAD /logs/stream answers headers without subscribing", async () => {
  using proxy = observedProxy(testConfig([]));
  const before = proxy.logs.combined.subscriberCount;

  const res = await proxy.app.request("/logs/stream", { method: "HEAD" });

  assert.equal(res.status, 200);
  assert.equal(res.body, null);
  assert.equal(proxy.logs.combined.subscriberCount, before);
});

Deno.test("log routes answer other methods with 405", async () => {
  using proxy = observedProxy(MODELS);

  const logs = await proxy.app.request("/logs", { method: "POST" });
  const stream = await proxy.app.request("/logs/stream/mymodel", {
    method: "DELETE",
  });

  assert.equal(logs.status, 405);
  assert.equal(logs.headers.get("allow"), "GET, HEAD");
  assert.equal(stream.status, 405);
});
