/**
 * Spillover selectors through the whole app (reference server.md §9,
 * scenario 89): concurrent requests spread over targets, reservations end
 * with their request on every path, ignored websockets hold none.
 */
import assert from "node:assert/strict";
import type { Config, ModelConfig, SelectorConfig } from "../config/types.ts";
import {
  errorMessage,
  FakeWebSocketPort,
  testSelector,
} from "../proxy/test_utils.ts";
import {
  jsonPost,
  testConfig,
  testModel,
  testPeer,
  testProxy,
} from "./proxy_fakes.ts";

function withSelectors(
  models: ModelConfig[],
  selectors: SelectorConfig[],
  overrides: Partial<Config> = {},
): Config {
  return {
    ...testConfig(models, { peers: [testPeer("remote", ["remote-model"])] }),
    selectors: Object.fromEntries(selectors.map((s) => [s.id, s])),
    ...overrides,
  };
}

Deno.test("a spillover selector sends concurrent requests to different ready targets", async () => {
  const config = withSelectors(
    [testModel("a"), testModel("b"), testModel("c")],
    [
      testSelector("pool", { strategy: "spillover", targets: ["a", "b", "c"] }),
    ],
  );
  const proxy = testProxy(config);
  proxy.router.hold = true;

  const first = proxy.app.request(
    "/v1/completions",
    jsonPost({ model: "pool" }),
  );
  await proxy.router.called(1);
  const second = proxy.app.request(
    "/v1/completions",
    jsonPost({ model: "pool" }),
  );
  await proxy.router.called(2);
  proxy.router.grantHeld(0);
  proxy.router.grantHeld(1);
  await (await first).body?.cancel();
  await (await second).body?.cancel();

  const models = proxy.router.calls.map((c) => c.model);
  assert.equal(new Set(models).size, 2);
});

Deno.test("a spillover reservation ends with the request, also when it fails", async () => {
  const config = withSelectors([testModel("a"), testModel("b")], [
    testSelector("pool", { strategy: "spillover", targets: ["a", "b"] }),
  ]);
  const proxy = testProxy(config, { states: { a: "ready", b: "stopped" } });
  proxy.upstream.respond = (hit) => {
    if (hit.url.includes("fail")) throw new TypeError("connection refused");
    return Response.json({ ok: true });
  };
  const send = (path: string) =>
    proxy.app.request(path, jsonPost({ model: "pool" }));

  await (await send("/v1/completions")).text();
  await send("/v1/completions?fail=1");
  await (await send("/v1/completions")).text();

  assert.deepEqual(proxy.router.calls.map((c) => c.model), ["a", "a", "a"]);
});

Deno.test("a spillover reservation ends when the client leaves while queued", async () => {
  const config = withSelectors([testModel("a"), testModel("b")], [
    testSelector("pool", { strategy: "spillover", targets: ["a", "b"] }),
  ]);
  const proxy = testProxy(config, { states: { a: "ready", b: "stopped" } });
  proxy.router.hold = true;
  const client = new AbortController();

  const gone = Promise.resolve(proxy.app.request("/v1/completions", {
    ...jsonPost({ model: "pool" }),
    signal: client.signal,
  }));
  await proxy.router.called(1);
  client.abort();
  const left = await gone;
  proxy.router.hold = false;
  await (await proxy.app.request(
    "/v1/completions",
    jsonPost({ model: "pool" }),
  )).text();

  assert.equal(left.status, 499);
  assert.deepEqual(proxy.router.calls.map((c) => c.model), ["a", "a"]);
});

Deno.test("a spillover selector with every target stopping answers 503", async () => {
  const config = withSelectors([testModel("a"), testModel("b")], [
    testSelector("pool", { strategy: "spillover", targets: ["a", "b"] }),
  ]);
  const proxy = testProxy(config, { states: { a: "stopping", b: "shutdown" } });

  const res = await proxy.app.request(
    "/v1/completions",
    jsonPost({ model: "pool" }),
  );

  assert.equal(res.status, 503);
  assert.equal(
    await errorMessage(res),
    'selector "pool" has no available spillover targets',
  );
  assert.equal(proxy.router.calls.length, 0);
});

Deno.test("ignored websocket requests do not hold spillover reservations", async () => {
  const config = withSelectors([
    testModel("a", { compat: { ignoreWebsockets: true } }),
    testModel("b", { compat: { ignoreWebsockets: true } }),
    testModel("c"),
  ], [
    testSelector("pool", { strategy: "spillover", targets: ["a", "b", "c"] }),
  ]);
  const proxy = testProxy(config, {
    states: { a: "ready", b: "ready", c: "stopped" },
    webSockets: new FakeWebSocketPort(),
  });
  proxy.router.hold = true;

  const socket = await proxy.app.request("/v1/audio/voices?model=pool", {
    headers: { connection: "Upgrade", upgrade: "websocket" },
  });
  const first = proxy.app.request(
    "/v1/completions",
    jsonPost({ model: "pool" }),
  );
  await proxy.router.called(1);
  const second = proxy.app.request(
    "/v1/completions",
    jsonPost({ model: "pool" }),
  );
  await proxy.router.called(2);
  proxy.router.grantHeld(0);
  proxy.router.grantHeld(1);
  await (await first).body?.cancel();
  await (await second).body?.cancel();

  assert.equal(socket.status, 200);
  assert.deepEqual(proxy.router.calls.map((c) => c.model).sort(), ["a", "b"]);
});
