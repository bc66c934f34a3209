import assert from "node:assert/strict";
import { assertOneError, errorsOf, lines, loadOk } from "./test_helpers.ts";

Deno.test("loadConfig() substitutes env references in cmd, proxy and checkEndpoint", () => {
  const config = loadOk(
    lines(
      "models:",
      "  m:",
      '    cmd: "${env.TEST_MODEL_PATH}/llama-server --host ${env.TEST_HOST}"',
      "    proxy: http://${env.TEST_HOST}:9999",
      "    checkEndpoint: http://${env.TEST_HOST}/health",
    ),
    { TEST_MODEL_PATH: "/opt/models", TEST_HOST: "myserver" },
  );

  assert.equal(
    config.models.m?.cmd,
    "/opt/models/llama-server --host myserver",
  );
  assert.equal(config.models.m?.proxy, "http://myserver:9999");
  assert.equal(config.models.m?.checkEndpoint, "http://myserver/health");
});

Deno.test("loadConfig() substitutes env references before macros use them", () => {
  const config = loadOk(
    lines(
      "macros:",
      '  MODEL_BASE: "${env.TEST_ROOT}/models"',
      "models:",
      "  test:",
      "    macros:",
      '      AUTH: "${env.USER_NAME}:${env.PASSWORD}"',
      "    cmd: server --model ${MODEL_BASE}/${MODEL_ID}.gguf --auth ${AUTH} --port ${PORT}",
    ),
    { TEST_ROOT: "/data", USER_NAME: "admin", PASSWORD: "secret" },
  );

  assert.equal(
    config.models.test?.cmd,
    "server --model /data/models/test.gguf --auth admin:secret --port 5800",
  );
});

Deno.test("loadConfig() substitutes env references in metadata, filters and cmdStop", () => {
  const config = loadOk(
    lines(
      "models:",
      "  m:",
      "    cmd: s --port ${PORT}",
      "    cmdStop: kill -${env.TEST_KILL_SIGNAL} ${PID}",
      "    filters:",
      '      stripParams: "${env.STRIP}"',
      "    metadata:",
      "      owner: ${env.OWNER}",
      "      nested:",
      "        team: ${env.OWNER}",
      "    ttl: ${env.TTL}",
    ),
    {
      TEST_KILL_SIGNAL: "SIGTERM",
      STRIP: "temperature,top_p",
      OWNER: "ops",
      TTL: "90",
    },
  );

  const model = config.models.m;
  assert.equal(model?.cmdStop, "kill -SIGTERM ${PID}");
  assert.equal(model?.filters.stripParams, "temperature,top_p");
  assert.deepEqual(model?.metadata, { owner: "ops", nested: { team: "ops" } });
  assert.equal(model?.ttl, 90);
});

Deno.test("loadConfig() reports each unset variable with its position and key path", () => {
  const text = lines(
    "macros:",
    "  root: ${env.MISSING_ROOT}",
    "models:",
    "  m:",
    "    cmd: s ${env.MISSING_CMD} --port ${PORT}",
    "    metadata:",
    "      a: ${env.MISSING_CMD}",
    "apiKeys: [${env.MISSING_KEY}]",
    "peers:",
    "  p:",
    "    proxy: http://h",
    "    apiKey: ${env.MISSING_PEER_KEY}",
    "    models: [x]",
  );

  const errors = errorsOf(text);

  assert.deepEqual(errors.map((e) => [e.line, e.column, e.path, e.message]), [
    [2, 9, "macros.root", 'environment variable "MISSING_ROOT" is not set'],
    [5, 12, "models.m.cmd", 'environment variable "MISSING_CMD" is not set'],
    [8, 11, "apiKeys[0]", 'environment variable "MISSING_KEY" is not set'],
    [
      12,
      13,
      "peers.p.apiKey",
      'environment variable "MISSING_PEER_KEY" is not set',
    ],
  ]);
});

Deno.test("loadConfig() refuses variables holding line breaks", () => {
  for (const value of ["a\nb", "a\rb", "a\0b"]) {
    const error = assertOneError(
      lines("models:", "  m:", "    cmd: s ${env.BAD} --port ${PORT}"),
      "models.m.cmd",
      "newline",
      { BAD: value },
    );

    assert.match(error.message, /"BAD"/);
  }
});

Deno.test("loadConfig() escapes quotes and backslashes for double-quoted strings", () => {
  const config = loadOk(
    lines(
      "models:",
      "  m:",
      '    cmd: "s --say ${env.QUOTED} --path ${env.WIN_PATH} --port ${PORT}"',
    ),
    { QUOTED: 'value with "quotes"', WIN_PATH: "path\\to\\file" },
  );

  assert.equal(
    config.models.m?.cmd,
    's --say value with "quotes" --path path\\to\\file --port 5800',
  );
});

Deno.test("loadConfig() allows an empty variable, which later checks may refuse", () => {
  const text = lines('apiKeys: ["${env.K1}", "${env.K2}", static-key]');

  const config = loadOk(text, { K1: "key-one", K2: "key-two" });
  const error = assertOneError(text, "apiKeys[0]", "cannot be empty", {
    K1: "",
    K2: "x",
  });

  assert.deepEqual(config.apiKeys.map((k) => k.key), [
    "key-one",
    "key-two",
    "static-key",
  ]);
  assert.equal(error.column, 11);
});

Deno.test("loadConfig() ignores unset variables that appear only in comments", () => {
  const config = loadOk(
    lines(
      "# whole line ${env.NOT_SET_1}",
      "models:",
      "  m:",
      "    # indented ${env.NOT_SET_2}",
      "    cmd: s ${env.ACTIVE} --port ${PORT} # trailing ${env.NOT_SET_3}",
    ),
    { ACTIVE: "on" },
  );

  assert.equal(config.models.m?.cmd, "s on --port 5800");
});

Deno.test("loadConfig() checks env references inside a block scalar's comment lines", () => {
  const text = lines(
    "models:",
    "  m:",
    "    cmd: |",
    "      # ${env.IN_BLOCK}",
    "      s --port ${PORT}",
  );

  assertOneError(text, "models.m.cmd", '"IN_BLOCK" is not set');
});

Deno.test("loadConfig() maps positions after a substitution back to the file", () => {
  const text = lines(
    "models:",
    "  m:",
    "    cmd: ${env.LONG} --port ${PORT}",
    "    ttl: ${env.LONG} soon",
  );

  const error = assertOneError(text, "models.m.ttl", "must be a number", {
    LONG: "a-much-longer-value-than-the-reference",
  });

  assert.equal(error.line, 4);
  assert.equal(error.column, 10);
});

Deno.test("loadConfig() substitutes env references in keys and flow lists", () => {
  const config = loadOk(
    lines(
      "models:",
      "  ${env.MODEL_NAME}:",
      "    cmd: s --port ${PORT}",
      "apiKeys: [${env.TEST_API_KEY}]",
    ),
    { MODEL_NAME: "from-env", TEST_API_KEY: "sk-1" },
  );

  assert.deepEqual(Object.keys(config.models), ["from-env"]);
  assert.equal(config.apiKeys[0]?.key, "sk-1");
});

Deno.test("loadConfig() substitutes a variable named inside another variable's value", () => {
  const config = loadOk(
    lines(
      "models:",
      "  m:",
      "    cmd: s --model ${env.MODEL_FILE} --port ${PORT}",
      "    ttl: ${env.TTL_FROM}",
    ),
    {
      MODEL_FILE: "${env.MODEL_DIR}/q.gguf",
      MODEL_DIR: "/models",
      TTL_FROM: "${env.TTL}",
      TTL: "45",
    },
  );

  assert.equal(config.models.m?.cmd, "s --model /models/q.gguf --port 5800");
  assert.equal(config.models.m?.ttl, 45);
});

Deno.test("loadConfig() reports an unset variable named inside another's value at the outer reference", () => {
  const error = assertOneError(
    lines("models:", "  m:", "    cmd: s ${env.OUTER} --port ${PORT}"),
    "models.m.cmd",
    'environment variable "INNER" is not set',
    { OUTER: "--x ${env.INNER}" },
  );

  assert.equal(error.line, 3);
  assert.equal(error.column, 12);
});

Deno.test("loadConfig() does not look inside the value of a variable a comment names", () => {
  const env = { OUTER: "--x ${env.INNER}" };
  const config = loadOk(
    lines(
      "# was: ${env.OUTER}",
      "models:",
      "  m:",
      "    cmd: s --port ${PORT} # or ${env.OUTER}",
    ),
    env,
  );

  const error = assertOneError(
    lines(
      "# was: ${env.OUTER}",
      "models:",
      "  m:",
      "    cmd: s ${env.OUTER} --port ${PORT}",
    ),
    "models.m.cmd",
    'environment variable "INNER" is not set',
    env,
  );

  assert.equal(config.models.m?.cmd, "s --port 5800");
  assert.equal(error.line, 4);
});

Deno.test("loadConfig() reports the YAML a value broke, not a reference in a comment", () => {
  const error = assertOneError(
    lines(
      "# needs ${env.UNSET_IN_COMMENT} someday",
      "models:",
      "  m:",
      "    cmd: x --port ${PORT} ${env.A}",
    ),
    'models.m.cmd."x --port ${PORT} a"',
    "cannot parse YAML",
    { A: "a: b" },
  );

  assert.equal(error.line, 4);
});

Deno.test("loadConfig() never calls a set variable unset when its reference is left over", () => {
  const deeper = assertOneError(
    lines("models:", "  m:", "    cmd: s ${env.A} --port ${PORT}"),
    "models.m.cmd",
    '"${env.C}" was not substituted',
    { A: "${env.B}", B: "${env.C}", C: "value" },
  );
  const fromMacro = assertOneError(
    lines(
      "macros:",
      '  open: "${env"',
      "models:",
      "  m:",
      "    cmd: s ${open}.HOME} --port ${PORT}",
    ),
    "models.m.cmd",
    '"${env.HOME}" was not substituted',
    { HOME: "/root" },
  );
  const unset = assertOneError(
    lines(
      "macros:",
      '  open: "${env"',
      "models:",
      "  m:",
      "    cmd: s ${open}.NOPE} --port ${PORT}",
    ),
    "models.m.cmd",
    'environment variable "NOPE" is not set',
  );

  for (const error of [deeper, fromMacro]) {
    assert.doesNotMatch(error.message, /is not set/);
  }
  assert.equal(unset.line, 5);
});
