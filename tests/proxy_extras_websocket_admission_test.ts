/**
 * Which websocket upgrades reach the router, through `app.request()` with
 * websockets faked (reference server.md §9, scenarios 49 and 77;
 * router.md §8.8, 86-87): with `ignoreWebsockets` a model is never
 * started, queued or observed; without it, the upgrade is an ordinary
 * request that holds its lease while the socket is open.
 */
import assert from "node:assert/strict";
import {
  errorMessage,
  FakeWebSocketPort,
  logged,
  RecordingObserver,
} from "../proxy/test_utils.ts";
import { testConfig, testModel, testProxy } from "./proxy_fakes.ts";

const UPGRADE = { connection: "keep-alive, Upgrade", upgrade: "websocket" };

function socketProxy(states: { m1?: "stopped"; ig?: "stopped" | "starting" }) {
  const observer = new RecordingObserver();
  const sockets = new FakeWebSocketPort();
  const proxy = testProxy(
    testConfig([
      testModel("m1"),
      testModel("ig", { compat: { ignoreWebsockets: true } }),
    ]),
    { states, observer, webSockets: sockets },
  );
  return { ...proxy, observer, sockets };
}

Deno.test("an ignored websocket to a stopped or starting model answers 409 and touches nothing", async () => {
  for (const state of ["stopped", "starting"] as const) {
    const proxy = socketProxy({ ig: state });

    const res = await proxy.app.request("/upstream/ig/v1/chat/completions", {
      headers: UPGRADE,
    });

    assert.equal(res.status, 409);
    assert.equal(
      await errorMessage(res),
      "model ig is not loaded; ignored websocket requests cannot start it",
    );
    assert.equal(proxy.router.calls.length, 0);
    assert.equal(proxy.sockets.dials.length, 0);
    assert.deepEqual(proxy.observer.starts, []);
  }
});

Deno.test("an ignored websocket to a ready model skips the router and the observer", async () => {
  const proxy = socketProxy({});

  const res = await proxy.app.request("/upstream/ig/v1/chat/completions?a=1", {
    headers: { ...UPGRADE, "sec-websocket-protocol": "chat, v2" },
  });

  assert.equal(res.status, 200);
  assert.equal(res.headers.get("x-test-protocol"), "chat");
  const dial = proxy.sockets.dials[0]!;
  assert.equal(dial.url, "ws://upstream-ig.test/v1/chat/completions?a=1");
  assert.deepEqual(dial.protocols, ["chat", "v2"]);
  assert.equal(dial.headers.get("upgrade"), null);
  assert.equal(dial.headers.get("sec-websocket-protocol"), null);
  assert.equal(proxy.router.calls.length, 0);
  assert.deepEqual(proxy.observer.starts, []);
});

Deno.test("a websocket to a model without the flag starts it and holds the lease until both sides close", async () => {
  const proxy = socketProxy({ m1: "stopped" });

  const res = await proxy.app.request("/upstream/m1/ws", { headers: UPGRADE });
  const held = proxy.router.releases;
  proxy.sockets.clients[0]!.closed(1000, "bye");
  const upstream = proxy.sockets.dials[0]!.upstream;
  const told = upstream.closes;
  upstream.closed(1000, "bye");
  await logged(proxy.logs, /websocket closed/g, 1);

  assert.equal(res.status, 200);
  assert.deepEqual(proxy.router.calls.map((c) => c.model), ["m1"]);
  assert.equal(held, 0);
  assert.deepEqual(told, [[1000, "bye"]]);
  assert.equal(proxy.router.releases, 1);
});

Deno.test("a websocket that the router refuses gets the router's answer", async () => {
  const proxy = socketProxy({});
  proxy.router.hold = true;
  const client = new AbortController();

  const pending = Promise.resolve(proxy.app.request("/upstream/m1/ws", {
    headers: UPGRADE,
    signal: client.signal,
  }));
  await proxy.router.called(1);
  client.abort();
  const res = await pending;

  assert.equal(res.status, 499);
  assert.equal(proxy.sockets.dials.length, 0);
});
