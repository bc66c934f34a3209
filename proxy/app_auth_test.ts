import assert from "node:assert/strict";
import type { ApiKey } from "../config/types.ts";
import {
  jsonPost,
  testConfig,
  testModel,
  testPeer,
  testProxy,
} from "../tests/proxy_fakes.ts";
import { LogBuffer, Logger } from "../log/mod.ts";

const KEYS: ApiKey[] = [
  { key: "secret", models: null },
  { key: "scoped", models: ["m1", "p/remote"] },
];

function keyedProxy() {
  return testProxy(testConfig([testModel("m1"), testModel("m2")], {
    apiKeys: KEYS,
    peers: [testPeer("p", ["remote", "other"])],
  }));
}

Deno.test("without apiKeys every request passes", async () => {
  const proxy = testProxy(testConfig([testModel("m1")]));

  const res = await proxy.app.request(
    "/v1/chat/completions",
    jsonPost({ model: "m1" }),
  );

  assert.equal(res.status, 200);
});

Deno.test("a wrong or missing key gets 401 with WWW-Authenticate", async () => {
  const proxy = keyedProxy();

  for (const headers of [{}, { authorization: "Bearer wrong" }]) {
    const res = await proxy.app.request(
      "/v1/chat/completions",
      jsonPost({ model: "m1" }, headers),
    );

    assert.equal(res.status, 401);
    assert.equal(
      res.headers.get("www-authenticate"),
      'Basic realm="llama-swap"',
    );
    const body = await res.json();
    assert.equal(
      body.error.message,
      "unauthorized: invalid or missing API key",
    );
    assert.equal(body.error.type, "authentication_error");
    assert.equal(body.error.code, "unauthorized");
  }
  assert.equal(proxy.upstream.hits.length, 0);
});

Deno.test("a valid key in any accepted form passes", async () => {
  const proxy = keyedProxy();
  const forms: Record<string, string>[] = [
    { authorization: "Bearer secret" },
    { authorization: "bearer secret" },
    { authorization: `Basic ${btoa("anyone:secret")}` },
    { authorization: `bAsIc ${btoa("anyone:secret")}` },
    { "x-api-key": "secret" },
  ];

  for (const headers of forms) {
    const res = await proxy.app.request(
      "/v1/chat/completions",
      jsonPost({ model: "m1" }, headers),
    );

    assert.equal(res.status, 200, JSON.stringify(headers));
  }
});

Deno.test("the client's key never reaches a local upstream", async () => {
  const proxy = keyedProxy();

  await proxy.app.request(
    "/v1/chat/completions",
    jsonPost({ model: "m1" }, {
      authorization: "Bearer secret",
      "x-api-key": "secret",
    }),
  );

  assert.equal(proxy.upstream.last.headers.get("authorization"), null);
  assert.equal(proxy.upstream.last.headers.get("x-api-key"), null);
});

Deno.test("public routes need no key", async () => {
  const proxy = keyedProxy();

  for (const path of ["/health", "/wol-health", "/", "/upstream"]) {
    const res = await proxy.app.request(path);

    assert.notEqual(res.status, 401, path);
  }
});

Deno.test("operational routes need a key", async () => {
  const proxy = keyedProxy();

  for (
    const path of [
      "/v1/models",
      "/running",
      "/unload",
      "/api/version",
      "/upstream/m1/",
    ]
  ) {
    const res = await proxy.app.request(path);

    assert.equal(res.status, 401, path);
  }
  assert.deepEqual(proxy.router.unloads, []);
});

Deno.test("a scoped key reaches its models and gets 403 for others", async () => {
  const proxy = keyedProxy();
  const headers = { authorization: "Bearer scoped" };

  const allowed = await proxy.app.request(
    "/v1/chat/completions",
    jsonPost({ model: "m1" }, headers),
  );
  const peerAllowed = await proxy.app.request(
    "/v1/chat/completions",
    jsonPost({ model: "p/remote" }, headers),
  );
  const denied = await proxy.app.request(
    "/v1/chat/completions",
    jsonPost({ model: "m2" }, headers),
  );
  const peerDenied = await proxy.app.request(
    "/v1/chat/completions",
    jsonPost({ model: "p/other" }, headers),
  );
  const upstreamDenied = await proxy.app.request("/upstream/m2/health", {
    headers,
  });

  assert.equal(allowed.status, 200);
  assert.equal(peerAllowed.status, 200);
  assert.equal(denied.status, 403);
  const body = await denied.json();
  assert.equal(
    body.error.message,
    'forbidden: this API key may not use model "m2"',
  );
  assert.equal(body.error.code, "forbidden");
  assert.equal(peerDenied.status, 403);
  assert.equal(upstreamDenied.status, 403);
  assert.deepEqual(proxy.router.calls.map((c) => c.model), ["m1"]);
});

Deno.test("a scoped key gets 403 on admin routes and sees only its models", async () => {
  const proxy = keyedProxy();
  const headers = { authorization: "Bearer scoped" };

  const unload = await proxy.app.request("/api/models/unload", {
    method: "POST",
    headers,
  });
  const running = await proxy.app.request("/running", { headers });
  const models = await proxy.app.request("/v1/models", { headers });

  assert.equal(unload.status, 403);
  assert.equal(running.status, 403);
  assert.deepEqual(proxy.router.unloads, []);
  const ids = (await models.json()).data.map((r: { id: string }) => r.id);
  assert.deepEqual(ids, ["m1", "p/remote"]);
});

Deno.test("keys never appear in the logs", async () => {
  const logs = new LogBuffer();
  const proxy = testProxy(
    testConfig([testModel("m1")], { apiKeys: KEYS }),
    { logger: new Logger(logs, { level: "debug" }) },
  );

  for (const key of ["secret", "wrong-key-value"]) {
    const res = await proxy.app.request(
      "/v1/chat/completions",
      jsonPost({ model: "m1" }, { authorization: `Bearer ${key}` }),
    );
    await res.text();
  }

  assert.match(logs.text(), /access:/);
  assert.doesNotMatch(logs.text(), /secret|wrong-key-value/);
});
