import assert from "node:assert/strict";
import { testConfig, testModel } from "../tests/proxy_fakes.ts";
import { observedProxy } from "./test_utils.ts";

const ROUTES: [string, string][] = [
  ["GET", "/logs"],
  ["GET", "/logs/stream"],
  ["GET", "/logs/stream/m1"],
  ["GET", "/api/events"],
  ["GET", "/api/metrics/activity"],
  ["GET", "/api/metrics/stats"],
  ["GET", "/api/captures/1"],
  ["POST", "/api/inflight/1/cancel"],
  ["GET", "/metrics"],
  ["GET", "/api/performance"],
  ["GET", "/api/hardware"],
];

const CONFIG = testConfig([testModel("m1")], {
  apiKeys: [
    { key: "secret", models: null },
    { key: "scoped", models: ["m1"] },
  ],
});

Deno.test("observability routes refuse requests without a valid API key", async () => {
  using proxy = observedProxy(CONFIG);

  for (const [method, path] of ROUTES) {
    const none = await proxy.app.request(path, { method });
    const wrong = await proxy.app.request(path, {
      method,
      headers: { authorization: "Bearer wrong" },
    });

    assert.equal(none.status, 401, `${method} ${path}`);
    assert.ok(none.headers.has("www-authenticate"));
    assert.equal(wrong.status, 401, `${method} ${path}`);
    await none.body?.cancel();
    await wrong.body?.cancel();
  }
});

Deno.test("observability routes refuse keys scoped to models", async () => {
  using proxy = observedProxy(CONFIG);

  for (const [method, path] of ROUTES) {
    const res = await proxy.app.request(path, {
      method,
      headers: { authorization: "Bearer scoped" },
    });

    assert.equal(res.status, 403, `${method} ${path}`);
    await res.body?.cancel();
  }
});

Deno.test("observability routes serve a full key", async () => {
  using proxy = observedProxy(CONFIG);

  for (const [method, path] of ROUTES) {
    const res = await proxy.app.request(path, {
      method,
      headers: { "x-api-key": "secret" },
    });

    assert.ok(![401, 403].includes(res.status), `${method} ${path}`);
    await res.body?.cancel();
  }
});
