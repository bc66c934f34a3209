import assert from "node:assert/strict";
import { sanitizeHeaderList } from "./cors.ts";

Deno.test("sanitizeHeaderList() trims names and drops invalid ones", () => {
  assert.equal(
    sanitizeHeaderList("Content-Type, Authorization"),
    "Content-Type, Authorization",
  );
  assert.equal(sanitizeHeaderList("  X-Custom ,  Accept "), "X-Custom, Accept");
  assert.equal(sanitizeHeaderList("Valid, Bad Header"), "Valid");
  assert.equal(sanitizeHeaderList("Bad@Header"), "");
});
