import assert from "node:assert/strict";
import { canonicalHeaderName, REDACTED, redactHeaders } from "./redact.ts";

Deno.test("redactHeaders() hides credentials and keeps other headers", () => {
  const headers = new Headers({
    "Authorization": "Bearer secret",
    "X-Api-Key": "key",
    "Proxy-Authorization": "Basic abc",
    "Cookie": "session=1",
    "Content-Type": "application/json",
  });

  const flat = redactHeaders(headers);

  assert.deepEqual(flat, {
    "Authorization": REDACTED,
    "Content-Type": "application/json",
    "Cookie": REDACTED,
    "Proxy-Authorization": REDACTED,
    "X-Api-Key": REDACTED,
  });
});

Deno.test("redactHeaders() keeps one redacted Set-Cookie for several cookies", () => {
  const headers = new Headers();
  headers.append("Set-Cookie", "a=1");
  headers.append("Set-Cookie", "b=2");

  assert.deepEqual(redactHeaders(headers), { "Set-Cookie": REDACTED });
});

Deno.test("canonicalHeaderName() capitalises each dash-separated word", () => {
  assert.equal(canonicalHeaderName("x-session-id"), "X-Session-Id");
  assert.equal(canonicalHeaderName("USER-AGENT"), "User-Agent");
  assert.equal(canonicalHeaderName("x-1-b"), "X-1-B");
});

Deno.test("redactHeaders() leaves out the header it is told to omit", () => {
  const headers = new Headers({
    "content-encoding": "gzip",
    "content-type": "application/json",
  });

  assert.deepEqual(redactHeaders(headers, "content-encoding"), {
    "Content-Type": "application/json",
  });
});
