import assert from "node:assert/strict";
import { assertOneError, lines, loadOk } from "./test_helpers.ts";

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
