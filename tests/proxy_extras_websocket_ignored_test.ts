/**
 * Websockets for models with `compat.ignoreWebsockets` over real sockets
 * (reference server.md §9, scenarios 49 and 77; router.md §1.2 step 3 and
 * §8.8): they never start a model, bypass the router and observers, and
 * are cut when the model goes away. `comfyui_auto` always has the flag.
 */
import assert from "node:assert/strict";
import type { ModelConfig } from "../config/types.ts";
import {
  closeOf,
  nextMessage,
  openClient,
  startWebSocketRig,
} from "../proxy/websocket_test_rig.ts";
import { testModel } from "./proxy_fakes.ts";

/** `m1` goes through the router; `ig` has `ignoreWebsockets`. */
function twoModels(upstream: string): ModelConfig[] {
  return [
    testModel("m1", { proxy: upstream }),
    testModel("ig", { proxy: upstream, compat: { ignoreWebsockets: true } }),
  ];
}

Deno.test("an ignored websocket to a stopped or starting model answers 409 and starts nothing", async () => {
  await using rig = startWebSocketRig({
    models: twoModels,
    states: { ig: "stopped" },
  });

  const stopped = await openClient(`${rig.base}/upstream/ig/ws`).catch((e) =>
    e
  );
  rig.processes.get("ig")!.state = "starting";
  const starting = await openClient(`${rig.base}/upstream/ig/ws`).catch((e) =>
    e
  );

  assert.match(String(stopped), /409/);
  assert.match(String(starting), /409/);
  assert.equal(rig.router.calls.length, 0);
  assert.equal(rig.upstream.sockets.length, 0);
});

Deno.test("an ignored websocket bypasses router and observer and is cut when the model stops", async () => {
  await using rig = startWebSocketRig({ models: twoModels });

  const client = await openClient(
    `${rig.base}/upstream/ig/v1/chat/completions`,
  );
  client.send("ping");
  const reply = await nextMessage(client);
  const closing = closeOf(client);
  rig.processes.get("ig")!.moveTo("stopping");
  const cut = await closing;
  await rig.relaysEnded(1);

  assert.equal(reply, "echo:ping");
  assert.equal(cut.code, 1001);
  assert.equal(cut.reason, "model ig was unloaded");
  assert.equal((await rig.upstream.sockets[0]!.closed).code, 1000);
  assert.equal(rig.router.calls.length, 0);
  assert.deepEqual(rig.observer.starts, []);
});

Deno.test("a websocket under /comfyui/ reaches a ready comfyui_auto without the router", async () => {
  await using rig = startWebSocketRig({
    models: (url) => [
      testModel("comfyui_auto", {
        proxy: url,
        compat: { ignoreWebsockets: true },
      }),
    ],
  });

  const client = await openClient(`${rig.base}/comfyui/ws?clientId=7`);
  client.send("status");
  const reply = await nextMessage(client);
  const closing = closeOf(client);
  client.close();
  await closing;
  await rig.relaysEnded(1);

  const seen = new URL(rig.upstream.sockets[0]!.url);
  assert.equal(reply, "echo:status");
  assert.equal(seen.pathname + seen.search, "/ws?clientId=7");
  assert.equal(rig.router.calls.length, 0);
});
