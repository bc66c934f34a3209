import assert from "node:assert/strict";
import {
  assertOneError,
  errorsOf,
  lines,
  loadOk,
  warningsOf,
} from "./test_helpers.ts";

const ONE_MODEL = ["models:", "  m:", "    cmd: s --port ${PORT}"];

Deno.test("loadConfig() fills a bare model with every default", () => {
  const config = loadOk(lines(
    "models:",
    "  model1:",
    '    cmd: "path/to/cmd --port ${PORT}"',
  ));

  assert.deepEqual(config.models.model1, {
    id: "model1",
    cmd: "path/to/cmd --port 5800",
    cmdStop: "",
    proxy: "http://localhost:5800",
    checkEndpoint: "/health",
    ttl: 0,
    unloadTimeout: 10,
    healthCheckTimeout: 120,
    aliases: [],
    env: [],
    name: "",
    description: "",
    metadata: {},
    unlisted: false,
    useModelName: "",
    concurrencyLimit: 10,
    sendLoadingState: false,
    loadingStateFormat: "reasoning",
    filters: { stripParams: "", strip: [], setParams: {}, setParamsByID: {} },
    timeouts: {
      connect: 30,
      keepalive: 30,
      responseHeader: 0,
      tlsHandshake: 10,
      expectContinue: 1,
      idleConn: 90,
    },
    capabilities: null,
    compat: { ignoreWebsockets: false },
    macros: [],
    port: 5800,
  });
});

Deno.test("loadConfig() takes a model's ttl from globalTTL unless set", () => {
  const config = loadOk(lines(
    "globalTTL: 300",
    "models:",
    "  inherit:",
    "    cmd: s --port ${PORT}",
    "  never:",
    "    cmd: s --port ${PORT}",
    "    ttl: 0",
    "  own:",
    "    cmd: s --port ${PORT}",
    "    ttl: 600",
    "  legacy:",
    "    cmd: s --port ${PORT}",
    "    ttl: -1",
  ));

  assert.equal(config.models.inherit?.ttl, 300);
  assert.equal(config.models.never?.ttl, 0);
  assert.equal(config.models.own?.ttl, 600);
  assert.equal(config.models.legacy?.ttl, 300);
  assert.equal(loadOk(lines(...ONE_MODEL)).models.m?.ttl, 0);
});

Deno.test("loadConfig() refuses a negative ttl and a ttl that is not a number", () => {
  const negative = assertOneError(
    lines(...ONE_MODEL, "    ttl: -5"),
    "models.m.ttl",
    "got -5",
  );
  const text = assertOneError(
    lines(...ONE_MODEL, "    ttl: soon"),
    "models.m.ttl",
    "",
  );

  assert.equal(negative.message, "must be a number of seconds >= 0, got -5");
  assert.equal(text.message, 'must be a number of seconds >= 0, got "soon"');
});

Deno.test("loadConfig() settles unload timeouts from the model or the global value", () => {
  const defaults = loadOk(lines(...ONE_MODEL));
  const config = loadOk(lines(
    "unloadTimeout: 25",
    "models:",
    "  a:",
    "    cmd: s --port ${PORT}",
    "    unloadTimeout: 45",
    "  b:",
    "    cmd: s --port ${PORT}",
    "  c:",
    "    cmd: s --port ${PORT}",
    "    unloadTimeout: 0",
  ));

  assert.equal(defaults.unloadTimeout, 10);
  assert.equal(defaults.models.m?.unloadTimeout, 10);
  assert.equal(config.models.a?.unloadTimeout, 45);
  assert.equal(config.models.b?.unloadTimeout, 25);
  assert.equal(config.models.c?.unloadTimeout, 25);
  assertOneError(lines("unloadTimeout: -1"), "unloadTimeout", "got -1");
  assertOneError(
    lines(...ONE_MODEL, "    unloadTimeout: -1"),
    "models.m.unloadTimeout",
    "got -1",
  );
});

Deno.test("loadConfig() lets models inherit or override sendLoadingState and its format", () => {
  const config = loadOk(lines(
    "sendLoadingState: true",
    "loadingStateFormat: comment",
    "models:",
    "  model1:",
    "    cmd: s --port ${PORT}",
    "    sendLoadingState: false",
    "    loadingStateFormat: reasoning",
    "  model2:",
    "    cmd: s --port ${PORT}",
  ));

  assert.equal(config.models.model1?.sendLoadingState, false);
  assert.equal(config.models.model1?.loadingStateFormat, "reasoning");
  assert.equal(config.models.model2?.sendLoadingState, true);
  assert.equal(config.models.model2?.loadingStateFormat, "comment");
  assertOneError(
    lines("loadingStateFormat: html"),
    "loadingStateFormat",
    'got "html"',
  );
});

Deno.test("loadConfig() raises comfyui_auto's concurrency limit and forces ignoreWebsockets", () => {
  const limits = [[undefined, 50], [10, 50], [50, 50], [60, 60]] as const;

  for (const [limit, expected] of limits) {
    const config = loadOk(lines(
      "models:",
      "  comfyui_auto:",
      "    cmd: comfy --port ${PORT}",
      ...(limit === undefined ? [] : [`    concurrencyLimit: ${limit}`]),
      "    compat: {ignoreWebsockets: false}",
      "  regular:",
      "    cmd: s --port ${PORT}",
    ));

    assert.equal(config.models.comfyui_auto?.concurrencyLimit, expected);
    assert.equal(config.models.comfyui_auto?.compat.ignoreWebsockets, true);
    assert.equal(config.models.regular?.concurrencyLimit, 10);
    assert.equal(config.models.regular?.compat.ignoreWebsockets, false);
  }
});

Deno.test("loadConfig() reads compat.ignoreWebsockets", () => {
  const config = loadOk(
    lines(...ONE_MODEL, "    compat:", "      ignoreWebsockets: true"),
  );

  assert.equal(config.models.m?.compat.ignoreWebsockets, true);
});

Deno.test("loadConfig() merges model timeouts over the defaults", () => {
  const config = loadOk(lines(
    ...ONE_MODEL,
    "    timeouts: {connect: 45, responseHeader: 120, idleConn: 0}",
  ));

  assert.deepEqual(config.models.m?.timeouts, {
    connect: 45,
    keepalive: 30,
    responseHeader: 120,
    tlsHandshake: 10,
    expectContinue: 1,
    idleConn: 0,
  });
});

Deno.test("loadConfig() refuses a proxy that is not an http URL and keeps an empty one", () => {
  assertOneError(
    lines("models:", "  m:", "    cmd: s", "    proxy: ://x"),
    "models.m.proxy",
    "must be an http:// or https:// URL",
  );
  const config = loadOk(
    lines("models:", "  m:", "    cmd: s", '    proxy: ""'),
  );

  assert.equal(config.models.m?.proxy, "");
  assert.equal(config.models.m?.port, null);
});

Deno.test("loadConfig() treats checkEndpoint none with spaces as none", () => {
  const config = loadOk(lines(...ONE_MODEL, '    checkEndpoint: " none "'));

  assert.equal(config.models.m?.checkEndpoint, "none");
});

Deno.test("loadConfig() warns about a model-level healthCheckTimeout and ignores it", () => {
  const text = lines(
    "healthCheckTimeout: 30",
    ...ONE_MODEL,
    "    healthCheckTimeout: 500",
  );

  const warnings = warningsOf(text);

  assert.equal(loadOk(text).models.m?.healthCheckTimeout, 30);
  assert.equal(warnings.length, 1);
  assert.match(
    warnings[0] ?? "",
    /models\.m\.healthCheckTimeout: a model's healthCheckTimeout is ignored/,
  );
});

Deno.test("loadConfig() reads a model written as null as an empty model", () => {
  const errors = errorsOf(lines("models:", "  empty:"));

  assert.equal(errors.length, 1);
  assert.match(errors[0]?.message ?? "", /default proxy/);
});

Deno.test("loadConfig() accepts numbers where llama-swap takes strings", () => {
  const config = loadOk(
    lines(...ONE_MODEL, "    name: 123", "    aliases: [7, 1.5]"),
  );

  assert.equal(config.models.m?.name, "123");
  assert.deepEqual(config.models.m?.aliases, ["7", "1.5"]);
});

Deno.test("loadConfig() refuses a negative concurrency limit", () => {
  assertOneError(
    lines(...ONE_MODEL, "    concurrencyLimit: -2"),
    "models.m.concurrencyLimit",
    "got -2",
  );
});
