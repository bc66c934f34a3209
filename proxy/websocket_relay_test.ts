import assert from "node:assert/strict";
import { FakeClock } from "../tests/fake_clock.ts";
import { FakeSocket } from "./test_utils.ts";
import { WebSocketRelay } from "./websocket_relay.ts";

function relay(
  client: FakeSocket,
  upstream: FakeSocket,
  clock = new FakeClock(),
) {
  return new WebSocketRelay(client.socket, upstream.socket, { clock });
}

Deno.test("WebSocketRelay passes text and binary messages both ways", () => {
  const client = new FakeSocket();
  const upstream = new FakeSocket();
  relay(client, upstream);
  const bytes = new Uint8Array([1, 2, 3]).buffer;

  client.receive("hello");
  upstream.receive(bytes);

  assert.deepEqual(upstream.sent, ["hello"]);
  assert.deepEqual(client.sent, [bytes]);
  assert.equal(client.binaryType, "arraybuffer");
  assert.equal(upstream.binaryType, "arraybuffer");
});

Deno.test("WebSocketRelay keeps messages for a client that is still connecting", () => {
  const client = new FakeSocket(WebSocket.CONNECTING);
  const upstream = new FakeSocket();
  relay(client, upstream);

  upstream.receive("early");
  upstream.receive("second");
  assert.deepEqual(client.sent, []);
  client.open();

  assert.deepEqual(client.sent, ["early", "second"]);
});

Deno.test("WebSocketRelay closes the client with the upstream's code and reason", async () => {
  const client = new FakeSocket();
  const upstream = new FakeSocket();
  const joined = relay(client, upstream);

  upstream.closed(4001, "done here");
  client.closed(4001, "done here");
  await joined.done;

  assert.deepEqual(client.closes, [[4001, "done here"]]);
});

Deno.test("WebSocketRelay closes the upstream normally for a code it may not send", () => {
  const client = new FakeSocket();
  const upstream = new FakeSocket();
  relay(client, upstream);

  client.closed(1001, "tab closed");

  assert.deepEqual(upstream.closes, [[1000, "tab closed"]]);
});

Deno.test("WebSocketRelay closes the client without a code when the upstream sent none", () => {
  const client = new FakeSocket();
  const upstream = new FakeSocket();
  relay(client, upstream);

  upstream.closed(1005);

  assert.deepEqual(client.closes, [[]]);
});

Deno.test("WebSocketRelay waits for a connecting client to open before closing it", () => {
  const client = new FakeSocket(WebSocket.CONNECTING);
  const upstream = new FakeSocket();
  relay(client, upstream);

  upstream.closed(1000, "bye");
  assert.deepEqual(client.closes, []);
  client.open();

  assert.deepEqual(client.closes, [[1000, "bye"]]);
});

Deno.test("WebSocketRelay.done resolves after the grace when one side never closes", async () => {
  const clock = new FakeClock();
  const client = new FakeSocket();
  const upstream = new FakeSocket();
  const joined = relay(client, upstream, clock);
  let done = false;
  void joined.done.then(() => done = true);

  upstream.closed(1000);
  clock.tick(4_999);
  await Promise.resolve();
  assert.equal(done, false);
  clock.tick(1);
  await joined.done;

  assert.equal(done, true);
});

Deno.test("WebSocketRelay cuts both sides when one has too much waiting to go out", () => {
  const client = new FakeSocket();
  const upstream = new FakeSocket();
  client.stalled = true;
  new WebSocketRelay(client.socket, upstream.socket, {
    clock: new FakeClock(),
    maxWaitingBytes: 1024,
  });

  upstream.receive(new Uint8Array(1000).buffer);
  assert.deepEqual(client.closes, []);
  upstream.receive(new Uint8Array(100).buffer);

  assert.deepEqual(client.closes, [[
    1008,
    "the client is not reading: over 1024 bytes waiting",
  ]]);
  assert.equal(upstream.closes.length, 1);
  upstream.receive(new Uint8Array(100).buffer);
  assert.equal(client.sent.length, 2, "nothing more is sent once cut");
});

Deno.test("WebSocketRelay counts what waits for a side still connecting", () => {
  const client = new FakeSocket(WebSocket.CONNECTING);
  const upstream = new FakeSocket();
  new WebSocketRelay(client.socket, upstream.socket, {
    clock: new FakeClock(),
    maxWaitingBytes: 10,
  });

  upstream.receive("12345");
  upstream.receive("678901");

  assert.equal(upstream.closes.length, 1);
  assert.deepEqual(client.closes, []); // closed once it opens
  client.open();
  assert.deepEqual(client.sent, [], "what waited is dropped with the cut");
  assert.equal(client.closes.length, 1);
});

Deno.test("WebSocketRelay.cut() closes the client with the code and the upstream normally", () => {
  const client = new FakeSocket();
  const upstream = new FakeSocket();
  const joined = relay(client, upstream);

  joined.cut(1001, "model m1 was unloaded");

  assert.deepEqual(client.closes, [[1001, "model m1 was unloaded"]]);
  assert.deepEqual(upstream.closes, [[1000, "model m1 was unloaded"]]);
});

Deno.test("WebSocketRelay shortens a close reason to 123 bytes", () => {
  const client = new FakeSocket();
  const upstream = new FakeSocket();
  relay(client, upstream);

  upstream.closed(4000, "é".repeat(100));

  const reason = client.closes[0]?.[1];
  assert.equal(typeof reason, "string");
  assert.equal(new TextEncoder().encode(reason as string).length, 122);
});
