import assert from "node:assert/strict";
import {
  errorEnvelope,
  errorKind,
  errorResponse,
  HttpError,
} from "./errors.ts";

Deno.test("errorKind() maps statuses to the reference's types and codes", () => {
  const table: [number, string, string][] = [
    [400, "invalid_request_error", "bad_request"],
    [401, "authentication_error", "unauthorized"],
    [403, "authentication_error", "forbidden"],
    [404, "invalid_request_error", "not_found"],
    [409, "invalid_request_error", "conflict"],
    [413, "invalid_request_error", "invalid_request"],
    [429, "rate_limit_error", "rate_limit_exceeded"],
    [500, "server_error", "internal_error"],
    [502, "server_error", "bad_gateway"],
    [503, "server_error", "service_unavailable"],
    [504, "server_error", "gateway_timeout"],
  ];

  for (const [status, type, code] of table) {
    assert.deepEqual(errorKind(status), { type, code }, `status ${status}`);
  }
});

Deno.test("errorEnvelope() lets a code override the derived one", () => {
  const envelope = errorEnvelope(429, "Too many requests", "concurrency_limit");

  assert.deepEqual(envelope, {
    src: "llama-swap",
    error: {
      message: "Too many requests",
      type: "rate_limit_error",
      param: null,
      code: "concurrency_limit",
    },
  });
});

Deno.test("errorResponse() answers JSON by default", async () => {
  const res = errorResponse(
    null,
    new HttpError(400, "could not read request body"),
  );

  assert.equal(res.status, 400);
  assert.equal(res.headers.get("content-type"), "application/json");
  const body = await res.json();
  assert.equal(body.src, "llama-swap");
  assert.equal(body.error.message, "could not read request body");
  assert.equal(body.error.type, "invalid_request_error");
});

Deno.test("errorResponse() answers text when the client accepts text/plain", async () => {
  const res = errorResponse(
    "text/plain, text/html",
    new HttpError(404, "model not found"),
  );

  assert.match(res.headers.get("content-type")!, /^text\/plain/);
  assert.equal(await res.text(), "llama-swap: model not found");
});

Deno.test("errorResponse() escapes the message in an HTML page", async () => {
  const res = errorResponse(
    "text/html",
    new HttpError(404, `no model "<b>x</b>"`),
  );

  const page = await res.text();
  assert.match(res.headers.get("content-type")!, /^text\/html/);
  assert.match(page, /<h1>llama-swap<\/h1>/);
  assert.match(page, /no model &quot;&lt;b&gt;x&lt;\/b&gt;&quot;/);
});

Deno.test("errorResponse() keeps JSON and headers for a jsonOnly error", async () => {
  const error = new HttpError(429, "Too many requests", {
    code: "concurrency_limit",
    headers: { "Retry-After": "1" },
    jsonOnly: true,
  });

  const res = errorResponse("text/plain", error);

  assert.equal(res.headers.get("retry-after"), "1");
  assert.equal(res.headers.get("content-type"), "application/json");
  assert.equal((await res.json()).error.code, "concurrency_limit");
});
