import assert from "node:assert/strict";
import {
  errorMessageFromBody,
  extractErrorMessage,
  MAX_ERROR_MESSAGE_CHARS,
} from "./error_message.ts";

Deno.test("errorMessageFromBody() finds the message in common error shapes", () => {
  const cases: [string, string][] = [
    ['{"error":{"message":"rate limited"}}', "rate limited"],
    ['{"error":"bad request"}', "bad request"],
    ['{"message":"nope"}', "nope"],
    ['{"detail":"oops"}', "oops"],
    ['{"error":{"code":42}}', ""],
    ['{"usage":{}}', ""],
    ["<html>bad gateway</html>", ""],
    ['["error"]', ""],
  ];

  const found = cases.map(([body]) => errorMessageFromBody(body));

  assert.deepEqual(found, cases.map(([, message]) => message));
});

Deno.test("errorMessageFromBody() skips empty strings for the next field", () => {
  const body = '{"error":{"message":""},"message":"fallback"}';

  assert.equal(errorMessageFromBody(body), "fallback");
});

Deno.test("errorMessageFromBody() cuts long messages to 500 characters", () => {
  const long = "é".repeat(MAX_ERROR_MESSAGE_CHARS + 20);

  const message = errorMessageFromBody(JSON.stringify({ error: long }));

  assert.equal(message, `${"é".repeat(MAX_ERROR_MESSAGE_CHARS)}...`);
});

Deno.test("extractErrorMessage() falls back to the status line", () => {
  const html = new TextEncoder().encode("<html>502</html>");

  assert.equal(extractErrorMessage(html, 502), "502 Bad Gateway");
  assert.equal(extractErrorMessage('{"error":"boom"}', 500), "boom");
  assert.equal(extractErrorMessage("", 599), "599");
});

Deno.test("extractErrorMessage() is empty for a 200 response", () => {
  assert.equal(extractErrorMessage('{"error":"ignored"}', 200), "");
});
