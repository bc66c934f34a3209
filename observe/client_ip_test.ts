import assert from "node:assert/strict";
import { clientIp } from "./client_ip.ts";

Deno.test("clientIp() prefers X-Forwarded-For, then X-Real-IP, then the socket", () => {
  const none = new Headers();
  const forwarded = new Headers({
    "X-Forwarded-For": "1.2.3.4, 5.6.7.8",
    "X-Real-IP": "9.9.9.9",
  });
  const real = new Headers({ "X-Real-IP": "9.9.9.9" });

  assert.equal(clientIp(forwarded, "10.0.0.5:1234"), "1.2.3.4");
  assert.equal(clientIp(real, "10.0.0.5:1234"), "9.9.9.9");
  assert.equal(clientIp(none, "10.0.0.5:1234"), "10.0.0.5");
});

Deno.test("clientIp() strips the port from IPv6 and keeps bare addresses", () => {
  const none = new Headers();

  assert.equal(clientIp(none, "[::1]:8080"), "::1");
  assert.equal(clientIp(none, "::1"), "::1");
  assert.equal(clientIp(none, "127.0.0.1"), "127.0.0.1");
});
