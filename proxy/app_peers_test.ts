import assert from "node:assert/strict";
import type { Filters } from "../config/types.ts";
import {
  jsonPost,
  testConfig,
  testModel,
  testPeer,
  testProxy,
} from "../tests/proxy_fakes.ts";

Deno.test("a model only a peer offers reaches the peer, bypassing the router", async () => {
  const proxy = testProxy(
    testConfig([], { peers: [testPeer("p1", ["peer-model"])] }),
  );
  proxy.upstream.respond = () => Response.json({ from: "peer" });

  const res = await proxy.app.request(
    "/v1/chat/completions",
    jsonPost({ model: "peer-model" }),
  );

  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), { from: "peer" });
  assert.equal(
    proxy.upstream.last.url,
    "http://peer-p1.test/v1/chat/completions",
  );
  assert.equal(proxy.router.calls.length, 0);
});

Deno.test("a name both local and on a peer is served locally", async () => {
  const proxy = testProxy(testConfig([testModel("shared")], {
    peers: [testPeer("p1", ["shared"])],
  }));

  await proxy.app.request(
    "/v1/chat/completions",
    jsonPost({ model: "shared" }),
  );

  assert.equal(
    proxy.upstream.last.url,
    "http://upstream-shared.test/v1/chat/completions",
  );
});

Deno.test("an FQN request reaches the peer with the bare model ID and the peer's key", async () => {
  const proxy = testProxy(testConfig([], {
    peers: [testPeer("strix", ["Q3.6-27B-MTP"], {
      proxy: "https://strix.test:8443/api",
      apiKey: "peer-key",
    })],
  }));

  await proxy.app.request(
    "/v1/chat/completions",
    jsonPost(
      { model: "strix/Q3.6-27B-MTP", messages: [] },
      { authorization: "Bearer client-key", "x-forwarded-for": "203.0.113.9" },
    ),
  );

  const hit = proxy.upstream.last;
  assert.equal(hit.url, "https://strix.test:8443/api/v1/chat/completions");
  assert.deepEqual(proxy.upstream.lastJson, {
    model: "Q3.6-27B-MTP",
    messages: [],
  });
  assert.equal(hit.headers.get("authorization"), "Bearer peer-key");
  assert.equal(hit.headers.get("x-api-key"), "peer-key");
  assert.equal(hit.headers.get("x-forwarded-for"), null);
  assert.equal(new URL(hit.url).host, "strix.test:8443");
});

Deno.test("a peer without an apiKey gets no credentials, not even the client's", async () => {
  const proxy = testProxy(testConfig([], { peers: [testPeer("p1", ["m"])] }));

  await proxy.app.request(
    "/v1/chat/completions",
    jsonPost({ model: "m" }, {
      authorization: "Bearer client-key",
      "x-api-key": "client-key",
    }),
  );

  assert.equal(proxy.upstream.last.headers.get("authorization"), null);
  assert.equal(proxy.upstream.last.headers.get("x-api-key"), null);
});

Deno.test("peer filters apply to an FQN request but useModelName never does", async () => {
  const filters: Filters = {
    stripParams: "temperature",
    strip: ["temperature"],
    setParams: { top_p: 0.9 },
    setParamsByID: { "remote/org/model": { seed: 7 } },
  };
  const proxy = testProxy(testConfig([], {
    peers: [testPeer("remote", ["org/model"], { filters })],
  }));

  await proxy.app.request(
    "/v1/chat/completions",
    jsonPost({ model: "remote/org/model", temperature: 1 }),
  );

  assert.deepEqual(proxy.upstream.lastJson, {
    model: "org/model",
    top_p: 0.9,
    seed: 7,
  });
});

Deno.test("a GET to a peer rewrites the model query parameter", async () => {
  const proxy = testProxy(testConfig([], { peers: [testPeer("p1", ["tts"])] }));

  await proxy.app.request("/v1/audio/voices?model=p1%2Ftts&lang=en");

  assert.equal(
    proxy.upstream.last.url,
    "http://peer-p1.test/v1/audio/voices?model=tts&lang=en",
  );
});

Deno.test("a multipart request to a peer FQN gets the bare model in the form", async () => {
  const proxy = testProxy(
    testConfig([], { peers: [testPeer("p1", ["whisper"])] }),
  );
  const form = new FormData();
  form.append("model", "p1/whisper");
  form.append("file", new File(["x"], "a.wav"));

  await proxy.app.request("/v1/audio/transcriptions", {
    method: "POST",
    body: form,
  });

  const hit = proxy.upstream.last;
  const received = await new Request("http://x/", {
    method: "POST",
    headers: { "content-type": hit.headers.get("content-type")! },
    body: hit.body,
  }).formData();
  assert.equal(received.get("model"), "whisper");
});

Deno.test("an SSE answer from a peer carries X-Accel-Buffering: no", async () => {
  const proxy = testProxy(testConfig([], { peers: [testPeer("p1", ["m"])] }));
  proxy.upstream.respond = () =>
    new Response("data: [DONE]\n\n", {
      headers: { "content-type": "text/event-stream" },
    });

  const res = await proxy.app.request(
    "/v1/chat/completions",
    jsonPost({ model: "m", stream: true }),
  );

  assert.equal(res.headers.get("x-accel-buffering"), "no");
  assert.equal(await res.text(), "data: [DONE]\n\n");
});

Deno.test("an unreachable peer answers 502 peer proxy error", async () => {
  const proxy = testProxy(testConfig([], { peers: [testPeer("p1", ["m"])] }));
  proxy.upstream.respond = () => {
    throw new TypeError("dns error: no such host");
  };

  const res = await proxy.app.request(
    "/v1/chat/completions",
    jsonPost({ model: "m" }),
  );

  assert.equal(res.status, 502);
  assert.equal(
    (await res.json()).error.message,
    "peer proxy error: dns error: no such host",
  );
});

Deno.test("an ambiguous bare peer name is unknown", async () => {
  const proxy = testProxy(testConfig([], {
    peers: [testPeer("cuda", ["shared"]), testPeer("strix", ["shared"])],
  }));

  const res = await proxy.app.request(
    "/v1/chat/completions",
    jsonPost({ model: "shared" }),
  );

  assert.equal(res.status, 404);
  assert.equal(
    (await res.json()).error.message,
    "no router for requested model",
  );
});
