import assert from "node:assert/strict";
import { compareBytes, PortAllocator } from "./ports.ts";
import { assertOneError, lines, loadOk } from "./test_helpers.ts";

Deno.test("compareBytes() orders IDs by UTF-8 bytes", () => {
  const ids = [
    "model2",
    "author/model:F16",
    "model1",
    "Zeta",
    "\u{1F600}",
    "\uFF21",
  ];

  ids.sort(compareBytes);

  assert.deepEqual(ids, [
    "Zeta",
    "author/model:F16",
    "model1",
    "model2",
    "\uFF21",
    "\u{1F600}",
  ]);
});

Deno.test("PortAllocator.take() counts up from the start port", () => {
  const ports = new PortAllocator(9000);

  assert.deepEqual([ports.take(), ports.take(), ports.take()], [
    9000,
    9001,
    9002,
  ]);
});

Deno.test("loadConfig() gives ports only to models whose cmd uses PORT", () => {
  const config = loadOk(lines(
    "startPort: 5800",
    "models:",
    "  model1:",
    "    cmd: svr --port ${PORT}",
    "  model2:",
    "    cmd: svr --port ${PORT}",
    "    proxy: http://172.11.22.33:${PORT}",
    "  model3:",
    "    cmd: svr --port 1999",
    "    proxy: http://1.2.3.4:1999",
  ));

  assert.equal(config.models.model1?.cmd, "svr --port 5800");
  assert.equal(config.models.model1?.proxy, "http://localhost:5800");
  assert.equal(config.models.model2?.cmd, "svr --port 5801");
  assert.equal(config.models.model2?.proxy, "http://172.11.22.33:5801");
  assert.equal(config.models.model3?.cmd, "svr --port 1999");
  assert.equal(config.models.model3?.port, null);
});

Deno.test("loadConfig() refuses the default proxy when cmd has no PORT", () => {
  const error = assertOneError(
    lines("models:", "  model1:", "    cmd: svr --port 111"),
    "models.model1.proxy",
    "the default proxy",
  );

  assert.equal(error.line, 2);
  assert.equal(error.column, 3);
});

Deno.test("loadConfig() refuses an explicit proxy using PORT when cmd does not", () => {
  const text = lines(
    "models:",
    "  model1:",
    "    cmd: svr --port 111",
    "    proxy: http://127.0.0.1:${PORT}",
  );

  assertOneError(
    text,
    "models.model1.proxy",
    'proxy uses "${PORT}" but cmd does not',
  );
});

Deno.test("loadConfig() hands out ports in byte order of model IDs, not file order", () => {
  const config = loadOk(lines(
    "startPort: 9000",
    "models:",
    "  model1:",
    "    cmd: /path/to/server -p ${PORT} -hf ${MODEL_ID}",
    "  model2:",
    "    cmd: svr --port ${PORT}",
    "  author/model:F16:",
    "    cmd: svr --port ${PORT}",
  ));

  assert.equal(config.models["author/model:F16"]?.port, 9000);
  assert.equal(config.models.model1?.cmd, "/path/to/server -p 9001 -hf model1");
  assert.equal(config.models.model2?.port, 9002);
  assert.deepEqual(Object.keys(config.models), [
    "author/model:F16",
    "model1",
    "model2",
  ]);
});

Deno.test("loadConfig() reads startPort from a macro", () => {
  const config = loadOk(lines(
    "macros: {FIRST_PORT: 6200}",
    'startPort: "${FIRST_PORT}"',
    "models:",
    "  m:",
    "    cmd: svr --port ${PORT}",
  ));

  assert.equal(config.startPort, 6200);
  assert.equal(config.models.m?.cmd, "svr --port 6200");
  assert.equal(config.models.m?.proxy, "http://localhost:6200");
});

Deno.test("loadConfig() refuses a startPort that is not a port number", () => {
  assertOneError(
    lines("startPort: abcd"),
    "startPort",
    'must be a port number >= 1, got "abcd"',
  );
  assertOneError(lines("startPort: -99"), "startPort", "got -99");
  assert.equal(loadOk(lines("startPort: 1")).startPort, 1);
  assert.equal(loadOk(lines("startPort: 1000")).startPort, 1000);
});

Deno.test("loadConfig() counts a PORT reached through a macro", () => {
  const config = loadOk(lines(
    "macros:",
    '  serve: "srv --port ${PORT}"',
    "models:",
    "  b:",
    "    cmd: ${serve}",
    "  a:",
    "    cmd: fixed --port 1",
    "    proxy: http://127.0.0.1:1",
  ));

  assert.equal(config.models.b?.port, 5800);
  assert.equal(config.models.a?.port, null);
});
