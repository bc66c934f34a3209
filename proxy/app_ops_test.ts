import assert from "node:assert/strict";
import { Hono } from "hono";
import {
  testConfig,
  testModel,
  testPeer,
  testProxy,
} from "../tests/proxy_fakes.ts";
import { FakeClock } from "../tests/fake_clock.ts";
import type { ProxyEnv } from "./deps.ts";

Deno.test("GET /health and /wol-health answer OK", async () => {
  const proxy = testProxy(testConfig([]));

  for (const path of ["/health", "/wol-health"]) {
    const res = await proxy.app.request(path);

    assert.equal(res.status, 200);
    assert.equal(await res.text(), "OK");
    assert.match(res.headers.get("content-type")!, /^text\/plain/);
  }
});

Deno.test("GET / redirects to /ui and GET /upstream to /ui/models", async () => {
  const proxy = testProxy(testConfig([]));

  const root = await proxy.app.request("/");
  const upstream = await proxy.app.request("/upstream");

  assert.equal(root.status, 302);
  assert.equal(root.headers.get("location"), "/ui");
  assert.equal(upstream.status, 302);
  assert.equal(upstream.headers.get("location"), "/ui/models");
});

Deno.test("an unknown path answers 404 page not found", async () => {
  const proxy = testProxy(testConfig([]));

  const res = await proxy.app.request("/does-not-exist");

  assert.equal(res.status, 404);
  assert.equal(await res.text(), "404 page not found\n");
});

Deno.test("a known path with the wrong method answers 405 with Allow", async () => {
  const proxy = testProxy(testConfig([testModel("m1")]));

  const chat = await proxy.app.request("/v1/chat/completions");
  const health = await proxy.app.request("/health", { method: "POST" });
  const voices = await proxy.app.request("/v1/audio/voices", { method: "PUT" });
  const unload = await proxy.app.request("/api/models/unload/m1");

  assert.equal(chat.status, 405);
  assert.equal(chat.headers.get("allow"), "POST");
  assert.equal(health.status, 405);
  assert.equal(health.headers.get("allow"), "GET, HEAD");
  assert.equal(voices.status, 405);
  assert.equal(voices.headers.get("allow"), "GET, HEAD, POST");
  assert.equal(unload.status, 405);
  assert.equal(proxy.router.calls.length, 0);
});

Deno.test("OPTIONS on any path answers the CORS preflight with defaults", async () => {
  const proxy = testProxy(
    testConfig([], { apiKeys: [{ key: "s", models: null }] }),
  );

  const res = await proxy.app.request("/v1/chat/completions", {
    method: "OPTIONS",
  });

  assert.equal(res.status, 204);
  assert.equal(res.headers.get("access-control-allow-origin"), "*");
  assert.equal(
    res.headers.get("access-control-allow-methods"),
    "GET, POST, PUT, PATCH, DELETE, OPTIONS",
  );
  assert.equal(
    res.headers.get("access-control-allow-headers"),
    "Content-Type, Authorization, Accept, X-Requested-With",
  );
  assert.equal(res.headers.get("access-control-max-age"), "86400");
});

Deno.test("OPTIONS echoes only valid requested header names", async () => {
  const proxy = testProxy(testConfig([]));

  const res = await proxy.app.request("/anything", {
    method: "OPTIONS",
    headers: {
      "access-control-request-headers": "  X-Custom ,  Bad Header, Accept ",
    },
  });

  assert.equal(
    res.headers.get("access-control-allow-headers"),
    "X-Custom, Accept",
  );
});

Deno.test("OPTIONS with an empty list of requested headers gets the defaults", async () => {
  const proxy = testProxy(testConfig([]));

  const res = await proxy.app.request("/anything", {
    method: "OPTIONS",
    headers: { "access-control-request-headers": "" },
  });

  assert.equal(
    res.headers.get("access-control-allow-headers"),
    "Content-Type, Authorization, Accept, X-Requested-With",
  );
});

Deno.test("GET /v1/models lists models and echoes the Origin", async () => {
  const clock = new FakeClock(Date.UTC(2026, 0, 1));
  const proxy = testProxy(
    testConfig([
      testModel("visible", { name: "Visible" }),
      testModel("hidden", { unlisted: true }),
    ], {
      peers: [testPeer("peer1", ["remote-model"])],
    }),
    { clock },
  );

  for (const path of ["/v1/models", "/models"]) {
    const res = await proxy.app.request(path, {
      headers: { origin: "http://example.com" },
    });

    assert.equal(res.status, 200);
    assert.equal(
      res.headers.get("access-control-allow-origin"),
      "http://example.com",
    );
    const body = await res.json();
    assert.equal(body.object, "list");
    assert.deepEqual(body.data.map((r: { id: string }) => r.id), [
      "peer1/remote-model",
      "visible",
    ]);
    assert.equal(body.data[1].created, Date.UTC(2026, 0, 1) / 1000);
    assert.deepEqual(body.data[1].status, { value: "loaded" });
  }
});

Deno.test("GET /running lists running local models sorted", async () => {
  const config = testConfig([
    testModel("m1", {
      cmd: "llama-server",
      proxy: "http://localhost:9999",
      ttl: 300,
      name: "Model One",
      description: "the first model",
    }),
    testModel("m0"),
    testModel("m2"),
  ]);
  const proxy = testProxy(config, {
    states: { m0: "stopped", m2: "starting" },
  });

  const res = await proxy.app.request("/running");

  assert.deepEqual(await res.json(), {
    running: [
      {
        model: "m1",
        state: "ready",
        cmd: "llama-server",
        proxy: "http://localhost:9999",
        ttl: 300,
        name: "Model One",
        description: "the first model",
      },
      {
        model: "m2",
        state: "starting",
        cmd: "llama-server --model m2",
        proxy: "http://upstream-m2.test",
        ttl: 0,
        name: "",
        description: "",
      },
    ],
  });
});

Deno.test("GET /running answers an empty list when nothing runs", async () => {
  const proxy = testProxy(testConfig([testModel("m1")]), {
    states: { m1: "stopped" },
  });

  const res = await proxy.app.request("/running");

  assert.deepEqual(await res.json(), { running: [] });
});

Deno.test("GET /unload and POST /api/models/unload unload every model once", async () => {
  const proxy = testProxy(testConfig([testModel("m1")]));

  const text = await proxy.app.request("/unload");
  const json = await proxy.app.request("/api/models/unload", {
    method: "POST",
  });

  assert.equal(await text.text(), "OK");
  assert.deepEqual(await json.json(), { msg: "ok" });
  assert.deepEqual(proxy.router.unloads, [undefined, undefined]);
});

Deno.test("POST /api/models/unload/<model> unloads exactly that model, aliases and slashes included", async () => {
  const proxy = testProxy(testConfig([
    testModel("m1", { aliases: ["one"] }),
    testModel("author/model"),
  ]));

  const byId = await proxy.app.request("/api/models/unload/m1", {
    method: "POST",
  });
  const byAlias = await proxy.app.request("/api/models/unload/one", {
    method: "POST",
  });
  const slashed = await proxy.app.request("/api/models/unload/author/model", {
    method: "POST",
  });

  assert.equal(await byId.text(), "OK");
  assert.equal(byAlias.status, 200);
  assert.equal(slashed.status, 200);
  assert.deepEqual(proxy.router.unloads, [["m1"], ["m1"], ["author/model"]]);
});

Deno.test("POST /api/models/unload/<model> answers 404 for unknown and peer models", async () => {
  const proxy = testProxy(testConfig([testModel("m1")], {
    peers: [testPeer("p", ["remote"])],
  }));

  const unknown = await proxy.app.request("/api/models/unload/nope", {
    method: "POST",
  });
  const peer = await proxy.app.request("/api/models/unload/p/remote", {
    method: "POST",
  });

  assert.equal(unknown.status, 404);
  assert.equal((await unknown.json()).error.message, "model not found");
  assert.equal(peer.status, 404);
  assert.equal((await peer.json()).error.message, "model not found");
  assert.deepEqual(proxy.router.unloads, []);
});

Deno.test("GET /api/version answers the build information", async () => {
  const proxy = testProxy(testConfig([]));

  const res = await proxy.app.request("/api/version");

  assert.deepEqual(await res.json(), {
    version: "1.2.3",
    commit: "deadbeef",
    build_date: "2026-05-19",
  });
});

Deno.test("extraRoutes mounts behind the proxy's auth", async () => {
  const proxy = testProxy(
    testConfig([], { apiKeys: [{ key: "secret", models: null }] }),
    {
      extraRoutes(app: Hono<ProxyEnv>) {
        app.get("/logs", (c) => c.text("a log line"));
      },
    },
  );

  const anonymous = await proxy.app.request("/logs");
  const keyed = await proxy.app.request("/logs", {
    headers: { authorization: "Bearer secret" },
  });

  assert.equal(anonymous.status, 401);
  assert.equal(await keyed.text(), "a log line");
});

Deno.test("an unexpected failure answers 500 without a stack trace and logs an error", async () => {
  const proxy = testProxy(testConfig([]), {
    extraRoutes(app: Hono<ProxyEnv>) {
      app.get("/boom", () => {
        throw new Error("secret internals");
      });
    },
  });

  const res = await proxy.app.request("/boom");

  assert.equal(res.status, 500);
  const body = await res.text();
  assert.doesNotMatch(body, /secret internals/);
  assert.match(body, /internal server error/);
  assert.match(
    proxy.logs.text(),
    /\[ERROR\] proxy: request failed unexpectedly/,
  );
});

Deno.test("a config reload applies to the next request", async () => {
  const proxy = testProxy(testConfig([testModel("old")]));
  let config = testConfig([testModel("old")]);
  const app = testProxy(config, {
    current: () => ({
      config,
      router: proxy.router,
      processes: proxy.processes,
    }),
  }).app;

  config = testConfig([testModel("new")]);
  const res = await app.request("/v1/models");

  const ids = (await res.json()).data.map((r: { id: string }) => r.id);
  assert.deepEqual(ids, ["new"]);
});
