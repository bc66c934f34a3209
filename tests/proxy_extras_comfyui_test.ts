/**
 * `/comfyui` through the whole app (reference server.md §9, scenarios
 * 21 and 50-53): redirects, which paths may start `comfyui_auto`, escapes
 * kept, and no observation.
 */
import assert from "node:assert/strict";
import type { ProcessState } from "../process/types.ts";
import type { ProxyObserver, RequestStart } from "../proxy/mod.ts";
import { noopObserver } from "../proxy/mod.ts";
import { testConfig, testModel, testPeer, testProxy } from "./proxy_fakes.ts";

function comfyProxy(state: ProcessState, observer?: ProxyObserver) {
  const config = testConfig([
    testModel("comfyui_auto", {
      proxy: "http://127.0.0.1:8188",
      compat: { ignoreWebsockets: true },
    }),
  ]);
  return testProxy(config, {
    states: { comfyui_auto: state },
    ...(observer ? { observer } : {}),
  });
}

async function errorMessage(res: Response): Promise<string> {
  return (await res.json()).error.message;
}

Deno.test("/comfyui redirects to /comfyui/ with the query, 301 for GET and HEAD, 308 otherwise", async () => {
  const proxy = comfyProxy("ready");

  const get = await proxy.app.request("/comfyui?token=value");
  const head = await proxy.app.request("/comfyui?token=value", {
    method: "HEAD",
  });
  const post = await proxy.app.request("/comfyui?token=value", {
    method: "POST",
  });

  assert.equal(get.status, 301);
  assert.equal(get.headers.get("location"), "/comfyui/?token=value");
  assert.equal(head.status, 301);
  assert.equal(post.status, 308);
  assert.equal(post.headers.get("location"), "/comfyui/?token=value");
  assert.equal(proxy.upstream.hits.length, 0);
});

Deno.test("GET /comfyui/ starts a stopped comfyui_auto and forwards to its root", async () => {
  const proxy = comfyProxy("stopped");

  const res = await proxy.app.request("/comfyui/?token=value");

  assert.equal(res.status, 200);
  assert.deepEqual(proxy.router.calls.map((c) => c.model), ["comfyui_auto"]);
  assert.equal(proxy.upstream.last.url, "http://127.0.0.1:8188/?token=value");
});

Deno.test("other /comfyui/ paths answer 409 while comfyui_auto is stopped or starting", async () => {
  for (const state of ["stopped", "starting"] as const) {
    const proxy = comfyProxy(state);

    const res = await proxy.app.request("/comfyui/api/prompt");

    assert.equal(res.status, 409);
    assert.equal(
      await errorMessage(res),
      "model comfyui_auto is not loaded; only /comfyui/ can start it",
    );
    assert.equal(proxy.router.calls.length, 0);
    assert.equal(proxy.upstream.hits.length, 0);
  }
});

Deno.test("/comfyui/ paths reach a ready comfyui_auto with their escapes", async () => {
  const proxy = comfyProxy("ready");
  const paths = [
    "/api/userdata/workflows%2Fexample.json?preview=1",
    "/api/userdata/a%252Fb",
    "/api/userdata/%E2%9C%93%2Fx",
  ];

  const urls: string[] = [];
  for (const path of paths) {
    const res = await proxy.app.request(`/comfyui${path}`, {
      method: "POST",
      body: "{}",
    });
    assert.equal(res.status, 200);
    urls.push(proxy.upstream.last.url);
  }

  assert.deepEqual(urls, paths.map((path) => `http://127.0.0.1:8188${path}`));
});

Deno.test("/comfyui/ answers 404 without a local comfyui_auto, even when a peer has one", async () => {
  const alone = testProxy(testConfig([testModel("m1")]));
  const viaPeer = testProxy(
    testConfig([testModel("m1")], {
      peers: [testPeer("remote", ["comfyui_auto"])],
    }),
  );

  const missing = await alone.app.request("/comfyui/");
  const peerOnly = await viaPeer.app.request("/comfyui/");

  assert.equal(missing.status, 404);
  assert.equal(
    await errorMessage(missing),
    "local model comfyui_auto not found",
  );
  assert.equal(peerOnly.status, 404);
  assert.equal(viaPeer.upstream.hits.length, 0);
});

Deno.test("/comfyui/ needs an API key when keys are configured", async () => {
  const config = testConfig([testModel("comfyui_auto")], {
    apiKeys: [{ key: "secret", models: null }],
  });
  const proxy = testProxy(config);

  const without = await proxy.app.request("/comfyui/");
  const withKey = await proxy.app.request("/comfyui/", {
    headers: { authorization: "Bearer secret" },
  });

  assert.equal(without.status, 401);
  assert.equal(withKey.status, 200);
});

Deno.test("/comfyui/ admits a key scoped to comfyui_auto and refuses other scoped keys", async () => {
  const config = testConfig([testModel("comfyui_auto"), testModel("m1")], {
    apiKeys: [
      { key: "comfy", models: ["comfyui_auto"] },
      { key: "chat", models: ["m1"] },
    ],
  });
  const proxy = testProxy(config);

  const comfy = await proxy.app.request("/comfyui/", {
    headers: { authorization: "Bearer comfy" },
  });
  const chat = await proxy.app.request("/comfyui/", {
    headers: { authorization: "Bearer chat" },
  });

  assert.equal(comfy.status, 200);
  assert.equal(chat.status, 403);
});

Deno.test("/comfyui/ requests are not observed", async () => {
  const starts: RequestStart[] = [];
  const observer: ProxyObserver = {
    requestStarted(start) {
      starts.push(start);
      return noopObserver.requestStarted(start);
    },
  };
  const proxy = comfyProxy("ready", observer);

  await (await proxy.app.request("/comfyui/api/prompt", {
    method: "POST",
    body: "{}",
  })).text();

  assert.equal(proxy.upstream.hits.length, 1);
  assert.deepEqual(starts, []);
});

Deno.test("/comfyui/ refuses paths that climb out of the model's base URL", async () => {
  const proxy = comfyProxy("ready");

  const res = await proxy.app.request("/comfyui/api/..%5Csecret");

  assert.equal(res.status, 400);
  assert.equal(proxy.upstream.hits.length, 0);
});

Deno.test("a websocket to a /comfyui/ sub-path while comfyui_auto is stopped answers 409", async () => {
  const proxy = comfyProxy("stopped");
  const upgrade = { connection: "Upgrade", upgrade: "websocket" };

  const sub = await proxy.app.request("/comfyui/ws?clientId=1", {
    headers: upgrade,
  });
  const root = await proxy.app.request("/comfyui/", { headers: upgrade });

  assert.equal(sub.status, 409);
  assert.match(await errorMessage(sub), /only \/comfyui\/ can start it$/);
  assert.equal(root.status, 409);
  assert.equal(
    await errorMessage(root),
    "model comfyui_auto is not loaded; ignored websocket requests cannot start it",
  );
  assert.equal(proxy.router.calls.length, 0);
});
