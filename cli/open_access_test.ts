import assert from "node:assert/strict";
import { parseListenAddress } from "./flags.ts";
import { openAccessWarning } from "./open_access.ts";

const NO_KEYS = { apiKeys: [] };
const ONE_KEY = { apiKeys: [{ key: "secret", models: null }] };

Deno.test("openAccessWarning() warns for every interface without apiKeys", () => {
  const { hostname } = parseListenAddress(":8080");

  const warning = openAccessWarning(hostname, NO_KEYS);

  assert.match(warning ?? "", /anyone on the network can use/);
});

Deno.test("openAccessWarning() warns for a LAN address without apiKeys", () => {
  assert.notEqual(openAccessWarning("192.168.1.20", NO_KEYS), null);
});

Deno.test("openAccessWarning() is quiet when apiKeys are set", () => {
  assert.equal(openAccessWarning("0.0.0.0", ONE_KEY), null);
});

Deno.test("openAccessWarning() is quiet on loopback addresses", () => {
  for (const host of ["127.0.0.1", "localhost", "::1"]) {
    assert.equal(openAccessWarning(host, NO_KEYS), null, host);
  }
});
