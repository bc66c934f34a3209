import assert from "node:assert/strict";
import { assertOneError, errorsOf, lines, loadOk } from "./test_helpers.ts";

Deno.test("loadConfig() expands global and model macros into cmd and cmdStop", () => {
  const config = loadOk(lines(
    "startPort: 9990",
    "macros:",
    "  svr-path: path/to/server",
    "  argOne: --arg1",
    '  argTwo: "--arg2"',
    '  autoPort: "--port ${PORT}"',
    "  overriddenByModelMacro: failed",
    "models:",
    "  model1:",
    "    macros:",
    "      overriddenByModelMacro: success",
    "    cmd: |",
    "      ${svr-path} ${argTwo}",
    "      # ${nothingHere}",
    "      ${autoPort} ${argOne}",
    "      --arg3 three",
    "      --overridden ${overriddenByModelMacro}",
    "    cmdStop: /path/to/stop.sh --port ${PORT} ${argTwo}",
  ));

  const model = config.models.model1;
  assert.equal(
    model?.cmd,
    "path/to/server --arg2\n--port 9990 --arg1\n--arg3 three\n--overridden success\n",
  );
  assert.equal(model?.cmdStop, "/path/to/stop.sh --port 9990 --arg2");
});

Deno.test("loadConfig() refuses macro names the loader reserves", () => {
  for (const name of ["PORT", "MODEL_ID", "PID"]) {
    const global = assertOneError(
      lines("macros:", `  ${name}: x`),
      `macros.${name}`,
      "is reserved",
    );
    const local = assertOneError(
      lines(
        "models:",
        "  model1:",
        "    cmd: s --port ${PORT}",
        "    macros:",
        `      ${name}: x`,
      ),
      `models.model1.macros.${name}`,
      "is reserved",
    );

    assert.equal(
      global.message,
      `macro name "${name}" is reserved: the loader fills it in`,
    );
    assert.equal(local.line, 5);
  }
});

Deno.test("loadConfig() names the field holding an unknown macro", () => {
  for (const field of ["cmd", "cmdStop", "proxy", "checkEndpoint"]) {
    const text = lines(
      "models:",
      "  model1:",
      `    ${field}: "x \${unknownMacro}"`,
      field === "cmd" ? "    proxy: http://h:1" : "    cmd: s --port ${PORT}",
    );

    assertOneError(
      text,
      `models.model1.${field}`,
      'unknown macro "${unknownMacro}"',
    );
  }
  assertOneError(
    lines(
      "models:",
      "  model1:",
      "    cmd: s",
      "    proxy: http://h:1",
      "    filters:",
      '      stripParams: "${unknownMacro}"',
    ),
    "models.model1.filters.stripParams",
    'unknown macro "${unknownMacro}"',
  );
});

Deno.test("loadConfig() expands a macro mentioned in a comment line only once", () => {
  const config = loadOk(lines(
    "startPort: 9990",
    "macros:",
    "  latest-llama: >",
    "    /user/llama.cpp/build/bin/llama-server",
    "    --port ${PORT}",
    "models:",
    "  model1:",
    "    cmd: |",
    "      # ${latest-llama} is the server",
    "      ${latest-llama} --model /path/to/model.gguf -ngl 99",
  ));

  assert.equal(
    config.models.model1?.cmd,
    "/user/llama.cpp/build/bin/llama-server --port 9990\n --model /path/to/model.gguf -ngl 99\n",
  );
});

Deno.test("loadConfig() resolves MODEL_ID and PORT inside global macros per model", () => {
  const config = loadOk(lines(
    "startPort: 9001",
    "macros:",
    '  docker-llama: "docker run --name ${MODEL_ID} -p ${PORT}:8080 docker_img"',
    '  docker-stop: "docker stop ${MODEL_ID}"',
    "models:",
    "  model1:",
    "    cmd: ${docker-llama}",
    "  model2:",
    "    cmd: ${docker-llama}",
    "    cmdStop: ${docker-stop}",
  ));

  assert.equal(
    config.models.model2?.cmd,
    "docker run --name model2 -p 9002:8080 docker_img",
  );
  assert.equal(config.models.model2?.cmdStop, "docker stop model2");
  assert.deepEqual(config.macros[1], {
    name: "docker-stop",
    value: "docker stop ${MODEL_ID}",
  });
});

Deno.test("loadConfig() keeps macro types in whole metadata values and formats them inside text", () => {
  const config = loadOk(lines(
    "macros:",
    "  PORT_NUM: 10001",
    "  TEMP: 0.7",
    "  ENABLED: true",
    '  NAME: "llama model"',
    "  CTX: 16384",
    "models:",
    "  model1:",
    "    cmd: s --port ${PORT}",
    "    metadata:",
    "      port: ${PORT_NUM}",
    "      temperature: ${TEMP}",
    "      enabled: ${ENABLED}",
    "      name: ${NAME}",
    '      context: "${CTX}"',
    '      note: "Running on port ${PORT_NUM} with temp ${TEMP} and context ${CTX}"',
  ));

  assert.deepEqual(config.models.model1?.metadata, {
    port: 10001,
    temperature: 0.7,
    enabled: true,
    name: "llama model",
    context: 16384,
    note: "Running on port 10001 with temp 0.7 and context 16384",
  });
});

Deno.test("loadConfig() formats float macros inside text the way Go does", () => {
  const config = loadOk(lines(
    "macros:",
    "  three: 3.0",
    "  big: 1000000.0",
    "  tiny: 0.00001",
    "  count: 1000000",
    "models:",
    "  m:",
    "    cmd: s --port ${PORT}",
    '    description: "${three} ${big} ${tiny} ${count}"',
  ));

  assert.equal(config.models.m?.description, "3 1e+06 1e-05 1000000");
});

Deno.test("loadConfig() substitutes macros at any depth of metadata, PORT included", () => {
  const config = loadOk(lines(
    "startPort: 10000",
    "macros:",
    "  TEMP: 0.7",
    "models:",
    "  test-model:",
    "    cmd: s --port ${PORT}",
    "    metadata:",
    "      config:",
    "        port: ${PORT}",
    "        temperature: ${TEMP}",
    '      tags: ["model:${MODEL_ID}", "port:${PORT}"]',
    "      nested:",
    "        deep:",
    "          value: ${TEMP}",
    '      "${KEY}": keys stay as written',
  ));

  assert.deepEqual(config.models["test-model"]?.metadata, {
    config: { port: 10000, temperature: 0.7 },
    tags: ["model:test-model", "port:10000"],
    nested: { deep: { value: 0.7 } },
    "${KEY}": "keys stay as written",
  });
});

Deno.test("loadConfig() lets a model macro override a global one seen by other globals", () => {
  const config = loadOk(lines(
    "macros:",
    "  tag: global",
    '  msg: "value-${tag}"',
    "  TEMP: 0.5",
    "models:",
    "  m:",
    "    macros:",
    "      tag: model-level",
    "      TEMP: 0.9",
    '      LOCAL_VAL: "local-${msg}"',
    "    cmd: echo ${msg} --port ${PORT}",
    "    metadata:",
    "      temperature: ${TEMP}",
    "      local: ${LOCAL_VAL}",
  ));

  assert.equal(config.models.m?.cmd, "echo value-model-level --port 5800");
  assert.deepEqual(config.models.m?.metadata, {
    temperature: 0.9,
    local: "local-value-model-level",
  });
});

Deno.test("loadConfig() refuses a macro value that is a list or mapping", () => {
  const mapping = assertOneError(
    lines("macros:", "  bad: {a: 1}"),
    "macros.bad",
    "got a mapping",
  );
  const list = assertOneError(
    lines("macros:", "  bad: [1, 2]"),
    "macros.bad",
    "got a list",
  );
  const config = loadOk(
    lines("macros:", "  s: text", "  i: 1", "  f: 1.5", "  b: false"),
  );

  assert.equal(mapping.column, 8);
  assert.equal(list.line, 2);
  assert.deepEqual(config.macros.map((m) => m.value), ["text", 1, 1.5, false]);
});

Deno.test("loadConfig() refuses bad macro names and self references", () => {
  assertOneError(
    lines("macros:", "  bad.name: x"),
    'macros."bad.name"',
    "may only use letters",
  );
  assertOneError(
    lines("macros:", `  ${"a".repeat(64)}: x`),
    `macros.${"a".repeat(64)}`,
    "longer than 63",
  );
  assertOneError(
    lines("macros:", '  recursive: "value-${recursive}"'),
    "macros.recursive",
    "refers to itself",
  );
  loadOk(lines("macros:", `  ${"a".repeat(63)}: x`));
});

Deno.test("loadConfig() only lets a macro use macros declared before it", () => {
  const forward = lines(
    "macros:",
    '  FIRST: "value-${SECOND}"',
    "  SECOND: two",
    "models:",
    "  m:",
    "    cmd: echo ${FIRST} --port ${PORT}",
  );
  const chain = lines(
    "macros:",
    "  base: /models",
    '  path: "${base}/llama"',
    '  full: "${path}/model.gguf"',
    "models:",
    "  m:",
    "    cmd: load ${full} --port ${PORT}",
  );

  assertOneError(forward, "models.m.cmd", 'unknown macro "${SECOND}"');
  assert.equal(
    loadOk(chain).models.m?.cmd,
    "load /models/llama/model.gguf --port 5800",
  );
});

Deno.test("loadConfig() keeps model macros out of other models", () => {
  const text = lines(
    "models:",
    "  owner:",
    "    macros: {LOCAL: x}",
    "    cmd: s ${LOCAL} --port ${PORT}",
    "  other:",
    "    cmd: s ${LOCAL} --port ${PORT}",
  );

  assertOneError(text, "models.other.cmd", 'unknown macro "${LOCAL}"');
});

Deno.test("loadConfig() reports an undefined macro reached through another macro", () => {
  const text = lines(
    "macros:",
    '  A: "value-${UNDEFINED}"',
    "models:",
    "  m:",
    "    cmd: s ${A} --port ${PORT}",
    '    name: "Model ${ALSO_UNDEFINED}"',
  );

  const errors = errorsOf(text);

  assert.deepEqual(errors.map((e) => [e.path, e.message]), [
    ["models.m.cmd", 'unknown macro "${UNDEFINED}"'],
    ["models.m.name", 'unknown macro "${ALSO_UNDEFINED}"'],
  ]);
});

Deno.test("loadConfig() expands macros into name and description", () => {
  const config = loadOk(lines(
    "macros: {FAMILY: llama, VARIANT: Q4_K_M}",
    "models:",
    "  llama-3b:",
    "    cmd: s --port ${PORT}",
    '    name: "Model: ${MODEL_ID}"',
    '    description: "A ${FAMILY} model in ${VARIANT} format"',
  ));

  assert.equal(config.models["llama-3b"]?.name, "Model: llama-3b");
  assert.equal(
    config.models["llama-3b"]?.description,
    "A llama model in Q4_K_M format",
  );
});

Deno.test("loadConfig() expands an anchored block with each model's own macros", () => {
  const config = loadOk(lines(
    "defs:",
    "  model: &model",
    "    cmd: echo ${LOCAL} --port ${PORT}",
    '    env: ["MODEL_VALUE=${LOCAL}"]',
    "    metadata:",
    "      value: ${LOCAL}",
    "models:",
    "  first:",
    "    <<: *model",
    "    macros: {LOCAL: one}",
    "  second:",
    "    <<: *model",
    "    macros: {LOCAL: 2}",
  ));

  assert.equal(config.models.first?.cmd, "echo one --port 5800");
  assert.deepEqual(config.models.first?.env, ["MODEL_VALUE=one"]);
  assert.deepEqual(config.models.second?.metadata, { value: 2 });
  assert.equal(config.models.second?.cmd, "echo 2 --port 5801");
});

Deno.test("loadConfig() substitutes typed macros into top-level and model settings", () => {
  const config = loadOk(lines(
    "macros:",
    "  GLOBAL_TTL: 120",
    "  LOADING: true",
    "  SESSION_HEADER: X-Trace",
    "  MODEL_NAME: m",
    "  MODEL_TTL: 45",
    "  CONNECT_TIMEOUT: 12",
    'globalTTL: "${GLOBAL_TTL}"',
    'sendLoadingState: "${LOADING}"',
    'ui: {activity: {session_id: ["${SESSION_HEADER}"]}}',
    'hooks: {on_startup: {preload: ["${MODEL_NAME}"]}}',
    "models:",
    "  m:",
    "    macros: {MODEL_TTL: 30}",
    "    cmd: s --port ${PORT}",
    '    ttl: "${MODEL_TTL}"',
    '    timeouts: {connect: "${CONNECT_TIMEOUT}"}',
    '    env: ["MODEL=${MODEL_ID}"]',
  ));

  assert.equal(config.globalTTL, 120);
  assert.equal(config.sendLoadingState, true);
  assert.deepEqual(config.sessionIdHeaders, ["X-Trace"]);
  assert.deepEqual(config.preload, ["m"]);
  assert.equal(config.models.m?.ttl, 30);
  assert.equal(config.models.m?.timeouts.connect, 12);
  assert.deepEqual(config.models.m?.env, ["MODEL=m"]);
});

Deno.test("loadConfig() refuses two setParamsByID keys that become the same", () => {
  const text = lines(
    "macros: {FIRST: shared, SECOND: shared}",
    "models:",
    "  m:",
    "    cmd: s --port ${PORT}",
    "    filters:",
    "      setParamsByID:",
    '        "${FIRST}": {a: 1}',
    '        "${SECOND}": {a: 2}',
  );

  const error = assertOneError(
    text,
    "models.m.filters.setParamsByID",
    "both become",
  );

  assert.equal(
    error.message,
    'keys "${FIRST}" and "${SECOND}" both become "shared"',
  );
  assert.equal(error.line, 8);
});

Deno.test("loadConfig() leaves PID for run time only in cmdStop", () => {
  const config = loadOk(lines(
    "macros:",
    "  STOP_COMMAND: kill ${PID}",
    "models:",
    "  a:",
    "    cmd: s --port ${PORT}",
    '    cmdStop: "${STOP_COMMAND}"',
    "  b:",
    "    cmd: s --port ${PORT}",
    "    cmdStop: kill ${PID}",
  ));
  const misplaced = lines(
    "models:",
    "  m:",
    "    cmd: s --port ${PORT}",
    '    metadata: {pid: "${PID}"}',
  );

  assert.equal(config.models.a?.cmdStop, "kill ${PID}");
  assert.equal(config.models.b?.cmdStop, "kill ${PID}");
  assertOneError(
    misplaced,
    "models.m.metadata.pid",
    '"${PID}" is only available in cmdStop',
  );
});

Deno.test("loadConfig() substitutes PORT into every model field", () => {
  const config = loadOk(lines(
    "startPort: 6100",
    "models:",
    "  model1:",
    "    cmd: s --port ${PORT}",
    "    checkEndpoint: /health/${PORT}",
    '    aliases: ["port-${PORT}"]',
    '    metadata: {port: "${PORT}"}',
    "    filters:",
    "      setParamsByID:",
    '        "model1:${PORT}":',
    "          port: ${PORT}",
  ));

  const model = config.models.model1;
  assert.equal(model?.checkEndpoint, "/health/6100");
  assert.deepEqual(model?.aliases, ["port-6100", "model1:6100"]);
  assert.deepEqual(model?.metadata, { port: 6100 });
  assert.deepEqual(model?.filters.setParamsByID, {
    "model1:6100": { port: 6100 },
  });
  assert.equal(config.aliases["model1:6100"], "model1");
});

Deno.test("loadConfig() reports PORT in cmdStop when cmd has no PORT", () => {
  const text = lines(
    "models:",
    "  m:",
    "    cmd: s --port 9000",
    "    proxy: http://127.0.0.1:9000",
    "    cmdStop: stop --port ${PORT}",
  );

  assertOneError(
    text,
    "models.m.cmdStop",
    '"${PORT}" is only available when cmd uses "${PORT}"',
  );
});

Deno.test("loadConfig() refuses unknown macros in env and outside models", () => {
  assertOneError(
    lines(
      "models:",
      "  m:",
      "    cmd: s --port ${PORT}",
      '    env: ["PATH=${PATH}:/x"]',
    ),
    "models.m.env[0]",
    'unknown macro "${PATH}"',
  );
  assertOneError(
    lines('apiKeys: ["${nope}"]'),
    "apiKeys[0]",
    'unknown macro "${nope}"',
  );
  assertOneError(
    lines('logLevel: "${MODEL_ID}"'),
    "logLevel",
    '"${MODEL_ID}" is only available inside a model',
  );
});

Deno.test("loadConfig() ignores text that only looks like a macro", () => {
  const config = loadOk(lines(
    "models:",
    "  m:",
    "    cmd: s $HOME ${a.b} ${ x } --port ${PORT}",
  ));

  assert.equal(config.models.m?.cmd, "s $HOME ${a.b} ${ x } --port 5800");
});

Deno.test("loadConfig() does not report uses of a macro whose declaration failed", () => {
  const text = lines(
    "macros:",
    "  broken: [1]",
    "models:",
    "  m:",
    "    cmd: s ${broken} --port ${PORT}",
  );

  assertOneError(text, "macros.broken", "must be a string, number or boolean");
});
