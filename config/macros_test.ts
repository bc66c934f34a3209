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

Deno.test("loadConfig() reads plain numbers as Go's YAML library does: _ dropped, 0 octal, 0b binary, 64 bits", () => {
  const config = loadOk(lines(
    "globalTTL: 017",
    "macros:",
    "  ctx: 8_192",
    "  mode: 0b101",
    "  offset: -0x1A",
    "  rate: 1_000.5",
    "  plain: 1e3",
    "  text: !!str 017",
    "  huge: 99999999999999999999",
    "  wide: 0x1FFFFFFFFFFFFFFFFF",
    "  vast: 1e400",
    "models:",
    "  m:",
    "    cmd: s --port ${PORT} -c ${ctx} --mode ${mode} --at ${offset}",
    "    concurrencyLimit: 1_0",
    "    ttl: 08",
    '    description: "${rate} ${plain} ${text} ${huge} ${wide} ${vast}"',
    "    name: 0_17",
  ));

  const model = config.models.m;
  assert.equal(model?.cmd, "s --port 5800 -c 8192 --mode 5 --at -26");
  assert.equal(config.globalTTL, 15);
  assert.equal(model?.concurrencyLimit, 10);
  assert.equal(model?.ttl, 8);
  // !!str keeps the text; past 64 bits a decimal is a float, hex is text,
  // and a float that overflows stays text, as in Go.
  assert.equal(
    model?.description,
    "1000.5 1000 017 1e+20 0x1FFFFFFFFFFFFFFFFF 1e400",
  );
  // A string field keeps the text as written, as Go's decoder does.
  assert.equal(model?.name, "0_17");
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
