import assert from "node:assert/strict";
import { assertOneError, errorsOf, lines, loadOk } from "./test_helpers.ts";

Deno.test("loadConfig() requires a peer proxy URL and at least one model", () => {
  assertOneError(
    lines("peers:", "  p:", "    models: [m]"),
    "peers.p.proxy",
    "needs the URL",
  );
  assertOneError(
    lines("peers:", "  p:", '    proxy: ""', "    models: [m]"),
    "peers.p.proxy",
    "needs the URL",
  );
  assertOneError(
    lines("peers:", "  p:", '    proxy: "://invalid"', "    models: [m]"),
    "peers.p.proxy",
    'must be an http:// or https:// URL, got "://invalid"',
  );
  assertOneError(
    lines("peers:", "  p:", "    proxy: http://h"),
    "peers.p.models",
    "at least one model",
  );
  assertOneError(
    lines("peers:", "  p:", "    proxy: http://h", "    models: []"),
    "peers.p.models",
    "at least one model",
  );
});

Deno.test("loadConfig() reads a peer with and without an API key", () => {
  const config = loadOk(lines(
    "peers:",
    "  plain:",
    "    proxy: http://192.168.1.23:8080/api",
    "    models: [a, a, b]",
    "  keyed:",
    "    proxy: https://api.example.net",
    "    apiKey: sk-peer",
    "    models: [c]",
  ));

  assert.deepEqual(config.peers.plain, {
    id: "plain",
    proxy: "http://192.168.1.23:8080/api",
    apiKey: "",
    models: ["a", "b"],
    filters: { stripParams: "", strip: [], setParams: {}, setParamsByID: {} },
    timeouts: {
      connect: 30,
      keepalive: 30,
      responseHeader: 60,
      tlsHandshake: 10,
      expectContinue: 1,
      idleConn: 90,
    },
  });
  assert.equal(config.peers.keyed?.apiKey, "sk-peer");
});

Deno.test("loadConfig() reads peer filters and timeouts", () => {
  const config = loadOk(lines(
    "peers:",
    "  p:",
    "    proxy: http://h",
    "    models: [m]",
    "    timeouts: {connect: 45, responseHeader: 120}",
    "    filters:",
    '      stripParams: "temperature, top_p"',
    "      setParams:",
    "        max_tokens: 1000",
    "        provider: {data_collection: deny}",
  ));

  const peer = config.peers.p;
  assert.deepEqual(peer?.filters.strip, ["temperature", "top_p"]);
  assert.deepEqual(peer?.filters.setParams, {
    max_tokens: 1000,
    provider: { data_collection: "deny" },
  });
  assert.equal(peer?.timeouts.connect, 45);
  assert.equal(peer?.timeouts.responseHeader, 120);
  assert.equal(peer?.timeouts.idleConn, 90);
});

Deno.test("loadConfig() substitutes global macros and env into peers", () => {
  const config = loadOk(
    lines(
      "macros:",
      "  MAX_TOKENS: 4096",
      "  STRIP: seed",
      "peers:",
      "  openrouter:",
      "    proxy: https://openrouter.example",
      "    apiKey: ${env.OPENROUTER_KEY}",
      "    models: [m]",
      "    filters:",
      '      stripParams: "${STRIP}, ${env.EXTRA_STRIP}"',
      "      setParams:",
      '        max_tokens: "${MAX_TOKENS}"',
    ),
    { OPENROUTER_KEY: "or-key", EXTRA_STRIP: "top_k" },
  );

  const peer = config.peers.openrouter;
  assert.equal(peer?.apiKey, "or-key");
  assert.deepEqual(peer?.filters.strip, ["seed", "top_k"]);
  assert.deepEqual(peer?.filters.setParams, { max_tokens: 4096 });
});

Deno.test("loadConfig() reports unknown macros in peer values by path", () => {
  const errors = errorsOf(lines(
    "peers:",
    "  openrouter:",
    "    proxy: https://openrouter.example",
    '    apiKey: "${NOPE}"',
    "    models: [m]",
    "    filters:",
    "      setParams:",
    '        value: "${ALSO_NOPE}"',
  ));

  assert.deepEqual(errors.map((e) => [e.path, e.message]), [
    ["peers.openrouter.apiKey", 'unknown macro "${NOPE}"'],
    [
      "peers.openrouter.filters.setParams.value",
      'unknown macro "${ALSO_NOPE}"',
    ],
  ]);
});

Deno.test("loadConfig() refuses two peers producing the same full model name", () => {
  const text = lines(
    "peers:",
    "  a:",
    "    proxy: http://a",
    "    models: [b/c]",
    "  a/b:",
    "    proxy: http://b",
    "    models: [c]",
  );

  assertOneError(
    text,
    "peers.a/b.models[0]",
    'full name "a/b/c" is ambiguous: peer "a" also produces it',
  );
});

Deno.test("loadConfig() refuses local names equal to a peer model's full name", () => {
  const peer = [
    "peers:",
    "  peer:",
    "    proxy: http://p",
    "    models: [model]",
  ];

  assertOneError(
    lines(...peer, "models:", "  peer/model:", "    cmd: s --port ${PORT}"),
    "models.peer/model",
    'model ID "peer/model" is the full name of a model of peer "peer"',
  );
  assertOneError(
    lines(
      ...peer,
      "models:",
      "  m:",
      "    cmd: s --port ${PORT}",
      "    aliases: [peer/model]",
    ),
    "models.m.aliases[0]",
    'alias "peer/model" is the full name',
  );
  assertOneError(
    lines(
      ...peer,
      "models:",
      "  m:",
      "    cmd: s --port ${PORT}",
      "    filters: {setParamsByID: {peer/model: {a: 1}}}",
    ),
    "models.m.filters.setParamsByID.peer/model",
    'alias "peer/model" is the full name',
  );
  assertOneError(
    lines(
      ...peer,
      "selectors:",
      "  peer/model: {strategy: pin, targets: [model]}",
    ),
    "selectors.peer/model",
    "is the full name of a peer model",
  );
  assertOneError(
    lines(...peer, "profiles:", "  p: {pins: {peer/model: model}}"),
    "profiles.p.pins.peer/model",
    'pin "peer/model" is the full name of a model of peer "peer"',
  );
});
