import assert from "node:assert/strict";
import { closestKey } from "./did_you_mean.ts";

Deno.test("closestKey() suggests a key that differs only in case", () => {
  assert.equal(
    closestKey("checkendpoint", ["cmd", "checkEndpoint"]),
    "checkEndpoint",
  );
});

Deno.test("closestKey() suggests a key one or two edits away", () => {
  assert.equal(closestKey("cmdd", ["cmd", "cmdStop", "proxy"]), "cmd");
  assert.equal(
    closestKey("healthCheckTimout", ["healthCheckTimeout"]),
    "healthCheckTimeout",
  );
});

Deno.test("closestKey() suggests nothing for an unrelated key", () => {
  assert.equal(closestKey("banana", ["cmd", "proxy", "ttl"]), null);
});
