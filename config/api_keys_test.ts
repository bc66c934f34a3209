import assert from "node:assert/strict";
import { assertOneError, errorsOf, lines, loadOk } from "./test_helpers.ts";

Deno.test("loadConfig() refuses an empty API key", () => {
  assertOneError(
    lines('apiKeys: [""]'),
    "apiKeys[0]",
    "an API key cannot be empty",
  );
  assertOneError(
    lines('apiKeys: ["valid-key", "", "another-key"]'),
    "apiKeys[1]",
    "an API key cannot be empty",
  );
});

Deno.test("loadConfig() refuses API keys containing spaces", () => {
  for (const key of ["   ", " key123", "key123 ", "key 123"]) {
    assertOneError(
      lines(`apiKeys: ["${key}"]`),
      "apiKeys[0]",
      "cannot contain spaces",
    );
  }
  assertOneError(
    lines('apiKeys: ["valid-key", "bad key"]'),
    "apiKeys[1]",
    "cannot contain spaces",
  );
});

Deno.test("loadConfig() refuses a key listed twice", () => {
  const error = assertOneError(
    lines("apiKeys: [k1, k2, k1]"),
    "apiKeys[2]",
    "same key",
  );

  assert.equal(error.message, "same key as apiKeys[0]");
});

Deno.test("loadConfig() limits object keys to the models they list", () => {
  const config = loadOk(lines(
    "models:",
    "  local:",
    "    cmd: s --port ${PORT}",
    "    aliases: [nick]",
    "peers:",
    "  cloud:",
    "    proxy: https://cloud",
    "    models: [remote, org/big]",
    "apiKeys:",
    "  - admin-key",
    "  - key: team-key",
    "    models: [nick, remote, cloud/org/big, local]",
  ));

  assert.deepEqual(config.apiKeys, [
    { key: "admin-key", models: null },
    { key: "team-key", models: ["local", "cloud/remote", "cloud/org/big"] },
  ]);
});

Deno.test("loadConfig() refuses object keys naming unknown or ambiguous models", () => {
  const errors = errorsOf(lines(
    "peers:",
    "  p1: {proxy: http://a, models: [shared]}",
    "  p2: {proxy: http://b, models: [shared]}",
    "apiKeys:",
    "  - key: k",
    "    models: [missing, shared]",
  ));

  assert.deepEqual(errors.map((e) => [e.path, e.message]), [
    ["apiKeys[0].models[0]", 'unknown model "missing"'],
    [
      "apiKeys[0].models[1]",
      '"shared" is served by several peers; use "p1/shared" or "p2/shared"',
    ],
  ]);
});

Deno.test("loadConfig() checks object keys like plain keys", () => {
  assertOneError(
    lines("apiKeys:", "  - key: bad key"),
    "apiKeys[0].key",
    "cannot contain spaces",
  );
  assertOneError(
    lines("apiKeys:", "  - models: []"),
    "apiKeys[0].key",
    "cannot be empty",
  );
  assertOneError(
    lines("apiKeys:", "  - {key: k, model: [x]}"),
    "apiKeys[0].model",
    'unknown key "model"',
  );
});
