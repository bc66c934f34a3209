import assert from "node:assert/strict";
import { methodNotAllowed } from "./method_not_allowed.ts";

Deno.test("methodNotAllowed() names the methods sorted, HEAD with GET", async () => {
  const response = methodNotAllowed(["POST", "GET"]);

  assert.equal(response.status, 405);
  assert.equal(response.headers.get("allow"), "GET, HEAD, POST");
  assert.equal(
    response.headers.get("content-type"),
    "text/plain; charset=utf-8",
  );
  assert.equal(await response.text(), "Method Not Allowed\n");
});

Deno.test("methodNotAllowed() names a lone POST alone", () => {
  assert.equal(methodNotAllowed(["POST"]).headers.get("allow"), "POST");
});
