/**
 * Websockets over real sockets (reference server.md §2.9 and §9,
 * scenarios 34 and 77): the proxy app served with `Deno.serve`, a small
 * websocket upstream that echoes, and clients made with `new WebSocket`.
 * Models without `ignoreWebsockets` go through the router.
 */
import assert from "node:assert/strict";
import { settlesWithin, systemClock } from "../lib/mod.ts";
import type { ModelConfig } from "../config/types.ts";
import {
  closeOf,
  nextMessage,
  openClient,
  startWebSocketRig,
} from "../proxy/websocket_test_rig.ts";
import { testModel, testPeer } from "./proxy_fakes.ts";

/** `m1` goes through the router; `ig` has `ignoreWebsockets`. */
function twoModels(upstream: string): ModelConfig[] {
  return [
    testModel("m1", { proxy: upstream }),
    testModel("ig", { proxy: upstream, compat: { ignoreWebsockets: true } }),
  ];
}

Deno.test("a websocket on /upstream/<model>/ starts the model and relays frames both ways", async () => {
  await using rig = startWebSocketRig({
    models: twoModels,
    states: { m1: "stopped" },
    apiKeys: [{ key: "client-key", models: null }],
  });

  const client = await openClient(`${rig.base}/upstream/m1/ws?x=1`, {
    protocols: ["chat", "v2"],
    headers: { authorization: "Bearer client-key" },
  });
  client.send("hello");
  const text = await nextMessage(client);
  client.send(new Uint8Array([1, 2, 3]));
  const bytes = await nextMessage(client);
  const closing = closeOf(client);
  client.close(1000, "done");
  await closing;
  await rig.relaysEnded(1);

  assert.equal(text, "echo:hello");
  assert.deepEqual(
    new Uint8Array(bytes as ArrayBuffer),
    new Uint8Array([1, 2, 3]),
  );
  assert.equal(client.protocol, "chat");
  const seen = rig.upstream.sockets[0]!;
  assert.equal(
    new URL(seen.url).pathname + new URL(seen.url).search,
    "/ws?x=1",
  );
  assert.equal(seen.headers.get("sec-websocket-protocol"), "chat, v2");
  assert.equal(seen.headers.get("x-forwarded-for"), "127.0.0.1");
  assert.equal(seen.headers.get("authorization"), null);
  assert.deepEqual(rig.router.calls.map((c) => c.model), ["m1"]);
  assert.equal(rig.router.releases, 1);
  assert.deepEqual(await seen.closed, { code: 1000, reason: "done" });
});

Deno.test("a websocket from the proxy's own origin reaches a local model with the model's origin; others keep theirs", async () => {
  await using rig = startWebSocketRig({ models: twoModels });
  const proxyOrigin = new URL(rig.base.replace(/^ws/, "http")).origin;

  for (const origin of [proxyOrigin, "http://elsewhere.example"]) {
    const client = await openClient(`${rig.base}/upstream/m1/ws`, {
      headers: { origin },
    });
    const closing = closeOf(client);
    client.close(1000, "done");
    await closing;
  }
  await rig.relaysEnded(2);

  const [own, other] = rig.upstream.sockets;
  assert.equal(
    own!.headers.get("origin"),
    new URL(own!.url.replace(/^ws/, "http")).origin,
  );
  assert.equal(other!.headers.get("origin"), "http://elsewhere.example");
});

Deno.test("closing one side of a relayed websocket closes the other with its code", async () => {
  await using rig = startWebSocketRig({ models: twoModels });

  const first = await openClient(`${rig.base}/upstream/m1/ws`);
  const firstClosed = closeOf(first);
  first.close(4001, "client leaves");
  await firstClosed;
  const second = await openClient(`${rig.base}/upstream/m1/ws`);
  const secondClosed = closeOf(second);
  second.send("close-me");
  const byUpstream = await secondClosed;
  await rig.relaysEnded(2);

  assert.deepEqual(await rig.upstream.sockets[0]!.closed, {
    code: 4001,
    reason: "client leaves",
  });
  assert.equal(byUpstream.code, 4002);
  assert.equal(byUpstream.reason, "asked to close");
  assert.equal(rig.router.releases, 2);
});

Deno.test("a websocket under a lease is closed with 1001 when its model is unloaded", async () => {
  await using rig = startWebSocketRig({ models: twoModels });

  const client = await openClient(`${rig.base}/upstream/m1/ws`);
  client.send("ping");
  await nextMessage(client);
  const closing = closeOf(client);
  rig.processes.get("m1")!.moveTo("stopping");
  // Bounded, so a relay that is never cut fails here instead of hanging.
  assert.ok(await settlesWithin(closing, 10_000, systemClock));
  const cut = await closing;
  await rig.relaysEnded(1);

  assert.equal(cut.code, 1001);
  assert.equal(cut.reason, "model m1 was unloaded");
  assert.equal(rig.router.releases, 1);
});

Deno.test("the access log records a websocket switch with status 101", async () => {
  await using rig = startWebSocketRig({ models: twoModels });

  const client = await openClient(`${rig.base}/upstream/m1/ws`);
  const closing = closeOf(client);
  client.close();
  await closing;
  await rig.relaysEnded(1);

  assert.match(rig.logs.text(), /GET \/upstream\/m1\/ws status=101/);
});

Deno.test("websockets also relay on model routes and to peers, which get their own key", async () => {
  await using rig = startWebSocketRig({
    models: twoModels,
    peers: (
      url,
    ) => [testPeer("remote", ["far"], { proxy: url, apiKey: "peer-key" })],
  });

  const routed = await openClient(`${rig.base}/v1/audio/voices?model=m1`);
  const peer = await openClient(`${rig.base}/upstream/remote/far/stream`);
  const closings = [closeOf(routed), closeOf(peer)];
  routed.close();
  peer.close();
  await Promise.all(closings);
  await rig.relaysEnded(2);

  const [model, remote] = rig.upstream.sockets;
  assert.equal(new URL(model!.url).search, "?model=m1");
  assert.equal(new URL(remote!.url).pathname, "/stream");
  assert.equal(remote!.headers.get("authorization"), "Bearer peer-key");
  assert.equal(remote!.headers.get("x-forwarded-for"), null);
  assert.deepEqual(rig.router.calls.map((c) => c.model), ["m1"]);
});

Deno.test("a websocket to an upstream that does not switch protocols answers 502 and releases the lease", async () => {
  await using rig = startWebSocketRig({
    models: (url) => [testModel("m1", { proxy: `${url}/plain` })],
  });

  const refused = await openClient(`${rig.base}/upstream/m1/ws`).catch((e) =>
    e
  );

  assert.match(String(refused), /502/);
  assert.equal(rig.router.releases, 1);
});
