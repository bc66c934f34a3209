import assert from "node:assert/strict";
import { isWebSocketUpgrade, offeredProtocols } from "./websocket_request.ts";

Deno.test("isWebSocketUpgrade() finds the tokens in comma lists, in any case", () => {
  const upgrade = (connection: string, upgrade: string) =>
    isWebSocketUpgrade(new Headers({ connection, upgrade }));

  assert.equal(upgrade("keep-alive, Upgrade", "websocket"), true);
  assert.equal(upgrade("UPGRADE", "h2c, WebSocket"), true);
  assert.equal(upgrade("keep-alive", "websocket"), false);
  assert.equal(upgrade("upgrade", "h2c"), false);
  assert.equal(upgrade("upgraded", "websockets"), false);
  assert.equal(isWebSocketUpgrade(new Headers()), false);
});

Deno.test("offeredProtocols() lists the offered subprotocols in order", () => {
  const headers = new Headers({ "sec-websocket-protocol": " chat , ,v2.x" });

  assert.deepEqual(offeredProtocols(headers), ["chat", "v2.x"]);
  assert.deepEqual(offeredProtocols(new Headers()), []);
});
