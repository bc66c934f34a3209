/**
 * Selectors through the whole app (reference server.md §9, scenarios
 * 88-91): strategies, reservations and their release, `/upstream`, the
 * listing, and the activity metadata (`selector`, `fifo_priority`).
 */
import assert from "node:assert/strict";
import type { Config, ModelConfig, SelectorConfig } from "../config/types.ts";
import type {
  ProxyObserver,
  RequestObservation,
  RequestStart,
  WebSocketPort,
} from "../proxy/mod.ts";
import {
  jsonPost,
  NO_FILTERS,
  testConfig,
  testModel,
  testPeer,
  testProxy,
} from "./proxy_fakes.ts";

function selector(
  id: string,
  overrides: Partial<SelectorConfig> = {},
): SelectorConfig {
  return {
    id,
    strategy: "pin",
    targets: [],
    spillover: 1,
    name: "",
    description: "",
    unlisted: false,
    metadata: {},
    ...overrides,
  };
}

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

/** Every observation started, with the labels added later. */
class RecordingObserver implements ProxyObserver {
  readonly starts: RequestStart[] = [];
  readonly labels: Record<string, string>[] = [];

  requestStarted(start: RequestStart): RequestObservation {
    this.starts.push(start);
    const labels: Record<string, string> = {};
    this.labels.push(labels);
    return {
      requestBody() {},
      responseStarted() {},
      chunk() {},
      annotate(key, value) {
        labels[key] = value;
      },
      finished() {},
    };
  }
}

async function errorMessage(res: Response): Promise<string> {
  return (await res.json()).error.message;
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
    selector("public", {
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
    [selector("public", { targets: ["a"] })],
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
    selector("public", { targets: ["remote/remote-model"] }),
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
    selector("public", { strategy: "warm", targets: ["a", "b"] }),
  ]);
  const proxy = testProxy(config, { states: { a: "stopped", b: "ready" } });

  await proxy.app.request(
    "/v1/chat/completions",
    jsonPost({ model: "public" }),
  );

  assert.deepEqual(proxy.router.calls.map((c) => c.model), ["b"]);
});

Deno.test("a spillover selector sends concurrent requests to different ready targets", async () => {
  const config = withSelectors(
    [testModel("a"), testModel("b"), testModel("c")],
    [
      selector("pool", { strategy: "spillover", targets: ["a", "b", "c"] }),
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
    selector("pool", { strategy: "spillover", targets: ["a", "b"] }),
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
    selector("pool", { strategy: "spillover", targets: ["a", "b"] }),
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
    selector("pool", { strategy: "spillover", targets: ["a", "b"] }),
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
    selector("pool", { strategy: "spillover", targets: ["a", "b", "c"] }),
  ]);
  const proxy = testProxy(config, {
    states: { a: "ready", b: "ready", c: "stopped" },
    webSockets: openingSockets(),
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

Deno.test("/upstream/<selector>/... answers 404 without calling anyone", async () => {
  const config = withSelectors([testModel("a")], [
    selector("public", { targets: ["a"] }),
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
    selector("public", {
      targets: ["a", "b"],
      name: "Public",
      description: "the shared one",
      metadata: { purpose: "chat" },
    }),
    selector("pool", { strategy: "spillover", targets: ["a", "b"] }),
    selector("secret", { targets: ["a"], unlisted: true }),
    selector("second", { targets: ["b", "a"] }),
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

/**
 * Websockets that open at once: the upstream dial succeeds and the
 * client's upgrade answers 200, since `app.request()` has no connection
 * to switch.
 */
function openingSockets(): WebSocketPort {
  const socket = () => {
    const fake = new EventTarget() as EventTarget & Record<string, unknown>;
    Object.assign(fake, {
      readyState: WebSocket.OPEN,
      binaryType: "blob",
      protocol: "",
      send() {},
      close() {},
    });
    return fake as unknown as WebSocket;
  };
  return {
    upgrade: () => ({ socket: socket(), response: new Response(null) }),
    connect: () => {
      const upstream = socket();
      queueMicrotask(() => upstream.dispatchEvent(new Event("open")));
      return upstream;
    },
  };
}
