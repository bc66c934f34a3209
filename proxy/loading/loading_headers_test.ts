import assert from "node:assert/strict";
import { loadingHeaders } from "./loading_headers.ts";

Deno.test("loadingHeaders() describes an unbuffered event stream", () => {
  const headers = new Headers(loadingHeaders());

  assert.equal(headers.get("content-type"), "text/event-stream");
  assert.equal(headers.get("cache-control"), "no-cache");
  assert.equal(headers.get("connection"), "keep-alive");
  assert.equal(headers.get("x-accel-buffering"), "no");
});

Deno.test("loadingHeaders() returns a new object each call", () => {
  const first = loadingHeaders();
  first["X-Extra"] = "1";

  assert.equal(loadingHeaders()["X-Extra"], undefined);
});
