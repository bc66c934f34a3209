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

Deno.test("loadConfig() keeps capabilities only when something is set", () => {
  const read = (...block: string[]) =>
    loadOk(lines(...ONE_MODEL, "    capabilities:", ...block)).models.m
      ?.capabilities;

  assert.deepEqual(
    read(
      "      in: [text, image]",
      "      out: [text]",
      "      tools: true",
      "      context: 4096",
    ),
    {
      in: ["text", "image"],
      out: ["text"],
      tools: true,
      reranker: false,
      context: 4096,
    },
  );
  assert.deepEqual(read("      tools: true", "      context: 8192"), {
    in: [],
    out: [],
    tools: true,
    reranker: false,
    context: 8192,
  });
  assert.equal(read("      tools: false"), null);
  assert.equal(read("      reranker: false"), null);
  assert.equal(read("      reranker: true")?.reranker, true);
  assert.equal(loadOk(lines(...ONE_MODEL)).models.m?.capabilities, null);
});

Deno.test("loadConfig() refuses unknown modalities and a negative context", () => {
  assertOneError(
    lines(...ONE_MODEL, "    capabilities:", "      in: [text, video]"),
    "models.m.capabilities.in[1]",
    'unknown modality "video"',
  );
  assertOneError(
    lines(...ONE_MODEL, "    capabilities:", "      context: -1"),
    "models.m.capabilities.context",
    "must be a number of tokens >= 0",
  );
});

Deno.test("loadConfig() fills capabilities from macros and merged anchors", () => {
  const config = loadOk(lines(
    "macros: {default_ctx: 98304, modality: audio, tools: true}",
    "defs:",
    "  llm: &llm-capabilities",
    "    in: [text]",
    "    out: [text]",
    "    tools: ${tools}",
    "    context: ${default_ctx}",
    "models:",
    "  a:",
    "    cmd: s --port ${PORT}",
    "    macros: {default_ctx: 65536}",
    "    capabilities:",
    "      <<: [*llm-capabilities]",
    "  b:",
    "    cmd: s --port ${PORT}",
    "    capabilities:",
    "      <<: *llm-capabilities",
    '      in: ["${modality}"]',
    '      context: "${default_ctx}"',
  ));

  assert.deepEqual(config.models.a?.capabilities, {
    in: ["text"],
    out: ["text"],
    tools: true,
    reranker: false,
    context: 65536,
  });
  assert.deepEqual(config.models.b?.capabilities?.in, ["audio"]);
  assert.equal(config.models.b?.capabilities?.context, 98304);
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

Deno.test("loadConfig() keeps stripParams as written and sanitises the list", () => {
  for (const key of ["stripParams", "strip_params"]) {
    const config = loadOk(lines(
      "macros:",
      '  default_strip: "temperature, top_p"',
      ...ONE_MODEL,
      "    filters:",
      `      ${key}: "model, top_k, top_k, temperature, \${default_strip}, , ,"`,
    ));

    const filters = config.models.m?.filters;
    assert.equal(
      filters?.stripParams,
      "model, top_k, top_k, temperature, temperature, top_p, , ,",
    );
    assert.deepEqual(filters?.strip, ["temperature", "top_k", "top_p"]);
  }
});

Deno.test("loadConfig() drops model from setParams and setParamsByID", () => {
  const config = loadOk(lines(
    ...ONE_MODEL,
    "    filters:",
    "      setParams: {temperature: 0.7, top_p: 0.9, stop: [a, b], model: x}",
    "      setParamsByID:",
    "        m: {model: y, seed: 1}",
  ));

  assert.deepEqual(config.models.m?.filters.setParams, {
    temperature: 0.7,
    top_p: 0.9,
    stop: ["a", "b"],
  });
  assert.deepEqual(config.models.m?.filters.setParamsByID, { m: { seed: 1 } });
});

Deno.test("loadConfig() turns setParamsByID keys into aliases of their model", () => {
  const config = loadOk(lines(
    "models:",
    "  model1:",
    "    cmd: s --port ${PORT}",
    "    aliases: [m1-high]",
    "    filters:",
    "      setParamsByID:",
    '        "${MODEL_ID}:high": {reasoning: high}',
    '        "${MODEL_ID}:low": {reasoning: low}',
    '        "m1-high": {reasoning: high}',
  ));

  assert.deepEqual(config.models.model1?.aliases, [
    "m1-high",
    "model1:high",
    "model1:low",
  ]);
  assert.equal(config.aliases["model1:low"], "model1");
});

Deno.test("loadConfig() refuses setParamsByID keys owned by another model", () => {
  const base = [
    "models:",
    "  model1:",
    "    cmd: s --port ${PORT}",
    "    filters:",
    "      setParamsByID:",
  ];

  assertOneError(
    lines(
      ...base,
      "        model2: {a: 1}",
      "  model2:",
      "    cmd: s --port ${PORT}",
    ),
    "models.model1.filters.setParamsByID.model2",
    "is the ID of another model",
  );
  assertOneError(
    lines(
      ...base,
      "        shared-alias: {a: 1}",
      "  model2:",
      "    cmd: s --port ${PORT}",
      "    filters: {setParamsByID: {shared-alias: {a: 2}}}",
    ),
    "models.model2.filters.setParamsByID.shared-alias",
    'already an alias of model "model1"',
  );
});

Deno.test("loadConfig() refuses an alias two models share", () => {
  const text = lines(
    "models:",
    "  model1:",
    "    cmd: s --port ${PORT}",
    "    aliases: [m1]",
    "  model2:",
    "    cmd: s --port ${PORT}",
    "    aliases: [m1, m2]",
  );

  const error = assertOneError(text, "models.model2.aliases[0]", 'alias "m1"');

  assert.equal(
    error.message,
    'alias "m1" is already an alias of model "model1"',
  );
});

Deno.test("loadConfig() warns about an alias that a model ID shadows", () => {
  const warnings = warningsOf(lines(
    "models:",
    "  a:",
    "    cmd: s --port ${PORT}",
    "    aliases: [b]",
    "  b:",
    "    cmd: s --port ${PORT}",
  ));

  assert.equal(warnings.length, 1);
  assert.match(
    warnings[0] ?? "",
    /models\.a\.aliases\[0\]: alias "b" is also a model ID/,
  );
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
