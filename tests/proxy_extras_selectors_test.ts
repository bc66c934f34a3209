/**
 * Selectors through the whole app (reference server.md §9, scenarios 88,
 * 90 and 91): `pin` and `warm`, peers and profiles as the way in, the
 * activity metadata (`selector`, `fifo_priority`), `/upstream` and the
 * listing.
 */
import assert from "node:assert/strict";
import type { Config, ModelConfig, SelectorConfig } from "../config/types.ts";
import {
  errorMessage,
  RecordingObserver,
  testSelector,
} from "../proxy/test_utils.ts";
import {
  jsonPost,
  NO_FILTERS,
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

Deno.test("a pin selector sends the request to its first target as that name", async () => {
  const observer = new RecordingObserver();
  const config = withSelectors([
    testModel("a", {
      aliases: ["variant"],
      filters: {
        ...NO_FILTERS,
        setParamsByID: { variant: { thinking: true } },
      },
    }),
  ], [
    testSelector("public", {
      strategy: "pin",
      targets: ["variant", "remote-model"],
    }),
  ]);
  const proxy = testProxy(config, { observer });

  const res = await proxy.app.request(
    "/v1/chat/completions",
    jsonPost({ model: "public", messages: [] }),
  );

  assert.equal(res.status, 200);
  assert.deepEqual(proxy.router.calls.map((c) => c.model), ["a"]);
  assert.deepEqual(proxy.upstream.lastJson, {
    model: "variant",
    messages: [],
    thinking: true,
  });
  assert.equal(observer.starts[0]?.model, "a");
  assert.deepEqual(observer.starts[0]?.metadata, { selector: "public" });
  assert.deepEqual(observer.labels[0], { fifo_priority: "0" });
});

Deno.test("a profile pin to a selector is applied first, then the selector", async () => {
  const config = withSelectors(
    [testModel("a")],
    [testSelector("public", { targets: ["a"] })],
    {
      profiles: {
        p: { name: "p", description: "", pins: { coder: "public" } },
      },
    },
  );
  const proxy = testProxy(config);
  await proxy.app.request("/api/profiles/active", {
    method: "PUT",
    body: '{"name":"p"}',
  });

  const res = await proxy.app.request(
    "/v1/chat/completions",
    jsonPost({ model: "coder" }),
  );

  assert.equal(res.status, 200);
  assert.deepEqual(proxy.router.calls.map((c) => c.model), ["a"]);
  assert.equal(proxy.upstream.lastJson.model, "a");
});

Deno.test("a selector may send a request to a peer as its bare model name", async () => {
  const config = withSelectors([testModel("a")], [
    testSelector("public", { targets: ["remote/remote-model"] }),
  ]);
  const proxy = testProxy(config);

  await proxy.app.request(
    "/v1/chat/completions",
    jsonPost({ model: "public" }),
  );

  assert.equal(
    proxy.upstream.last.url,
    "http://peer-remote.test/v1/chat/completions",
  );
  assert.equal(proxy.upstream.lastJson.model, "remote-model");
  assert.equal(proxy.router.calls.length, 0);
});

Deno.test("a warm selector prefers a ready target", async () => {
  const config = withSelectors([testModel("a"), testModel("b")], [
    testSelector("public", { strategy: "warm", targets: ["a", "b"] }),
  ]);
  const proxy = testProxy(config, { states: { a: "stopped", b: "ready" } });

  await proxy.app.request(
    "/v1/chat/completions",
    jsonPost({ model: "public" }),
  );

  assert.deepEqual(proxy.router.calls.map((c) => c.model), ["b"]);
});

Deno.test("/upstream/<selector>/... answers 404 without calling anyone", async () => {
  const config = withSelectors([testModel("a")], [
    testSelector("public", { targets: ["a"] }),
  ]);
  const proxy = testProxy(config);

  const res = await proxy.app.request("/upstream/public/v1/chat/completions", {
    method: "POST",
    body: "{}",
  });

  assert.equal(res.status, 404);
  assert.equal(await errorMessage(res), "model not found");
  assert.equal(proxy.upstream.hits.length, 0);
  assert.equal(proxy.router.calls.length, 0);
});

Deno.test("GET /v1/models lists selectors with their strategy and load state", async () => {
  const config = withSelectors([testModel("a"), testModel("b")], [
    testSelector("public", {
      targets: ["a", "b"],
      name: "Public",
      description: "the shared one",
      metadata: { purpose: "chat" },
    }),
    testSelector("pool", { strategy: "spillover", targets: ["a", "b"] }),
    testSelector("secret", { targets: ["a"], unlisted: true }),
    testSelector("second", { targets: ["b", "a"] }),
  ]);
  const proxy = testProxy(config, { states: { a: "starting", b: "stopped" } });

  const res = await proxy.app.request("/v1/models");

  const data: Record<string, unknown>[] = (await res.json()).data;
  const byId = new Map(data.map((record) => [record.id, record]));
  assert.deepEqual(byId.get("public"), {
    id: "public",
    object: "model",
    created: (byId.get("public") as { created: number }).created,
    owned_by: "llama-swap",
    name: "Public",
    description: "the shared one",
    status: { value: "loaded" },
    meta: {
      llamaswap: {
        purpose: "chat",
        type: "selector",
        strategy: "pin",
        targets: ["a", "b"],
      },
    },
  });
  assert.deepEqual(byId.get("pool")?.meta, {
    llamaswap: {
      type: "selector",
      strategy: "spillover",
      targets: ["a", "b"],
      spillover: 1,
    },
  });
  assert.equal(byId.has("secret"), false);
  assert.deepEqual(byId.get("second")?.status, { value: "unloaded" });
});
