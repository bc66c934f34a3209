import assert from "node:assert/strict";
import { errorText } from "./error_text.ts";

Deno.test("errorText() gives an error's message and anything else as text", () => {
  assert.equal(errorText(new TypeError("bad input")), "bad input");
  assert.equal(errorText("plain"), "plain");
  assert.equal(errorText(42), "42");
  assert.equal(errorText(undefined), "undefined");
});
