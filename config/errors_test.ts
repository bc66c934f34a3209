import assert from "node:assert/strict";
import { formatConfigError } from "./errors.ts";
import { loadConfig } from "./load.ts";
import {
  assertOneError,
  envOf,
  errorsOf,
  errorTexts,
  lines,
  loadOk,
} from "./test_helpers.ts";

Deno.test("loadConfig() reports a bad ttl with file, line, column and key path", () => {
  const text = lines(
    "models:",
    "  qwen:",
    "    cmd: s --port ${PORT}",
    "    ttl: soon",
  );

  const result = loadConfig(text, { file: "homelab.yaml", env: envOf() });

  assert.ok(!result.ok);
  assert.deepEqual(result.errors, [{
    file: "homelab.yaml",
    line: 4,
    column: 10,
    path: "models.qwen.ttl",
    message: 'must be a number of seconds >= 0, got "soon"',
  }]);
  assert.equal(
    formatConfigError(result.errors[0]!),
    'homelab.yaml:4:10: models.qwen.ttl: must be a number of seconds >= 0, got "soon"',
  );
});

Deno.test("formatConfigError() leaves out an empty key path", () => {
  const text = formatConfigError({
    file: "c.yaml",
    line: 1,
    column: 1,
    path: "",
    message: "boom",
  });

  assert.equal(text, "c.yaml:1:1: boom");
});

Deno.test("loadConfig() reports every error of a file in one pass, in file order", () => {
  const texts = errorTexts(lines(
    "logToStdout: stdout",
    "globalTTL: -1",
    "models:",
    "  a:",
    "    cmd: s --port ${PORT}",
    "    ttl: later",
    "    unlisted: maybe",
    "apiKeys: ['bad key']",
  ));

  assert.deepEqual(texts, [
    'config.yaml:1:14: logToStdout: must be one of "proxy", "upstream", "both" or "none", got "stdout"',
    "config.yaml:2:12: globalTTL: must be a number of seconds >= 0, got -1",
    'config.yaml:6:10: models.a.ttl: must be a number of seconds >= 0, got "later"',
    'config.yaml:7:15: models.a.unlisted: must be true or false, got "maybe"',
    "config.yaml:8:11: apiKeys[0]: an API key cannot contain spaces",
  ]);
});

Deno.test("loadConfig() refuses unknown keys and suggests a close known key", () => {
  const errors = errorsOf(lines(
    "healthCheckTimout: 30",
    "models:",
    "  m:",
    "    cmd: s --port ${PORT}",
    "    cmdd: typo",
    "    timeouts: {conect: 5}",
    "banana: 1",
  ));

  assert.deepEqual(errors.map((e) => [e.line, e.column, e.path, e.message]), [
    [
      1,
      1,
      "healthCheckTimout",
      'unknown key "healthCheckTimout" (did you mean "healthCheckTimeout"?)',
    ],
    [5, 5, "models.m.cmdd", 'unknown key "cmdd" (did you mean "cmd"?)'],
    [
      6,
      16,
      "models.m.timeouts.conect",
      'unknown key "conect" (did you mean "connect"?)',
    ],
    [7, 1, "banana", 'unknown key "banana"'],
  ]);
});

Deno.test("loadConfig() ignores x- keys and top-level anchor libraries", () => {
  const config = loadOk(lines(
    "x-notes: anything goes here",
    "defs:",
    "  base: &base",
    "    cmd: s --port ${PORT}",
    "models:",
    "  m: *base",
  ));

  assert.equal(config.models.m?.cmd, "s --port 5800");
  assertOneError(
    lines("defs:", "  base: {cmd: x}"),
    "defs",
    'unknown key "defs"',
  );
});

Deno.test("loadConfig() reports a duplicate key where it is repeated", () => {
  const error = assertOneError(
    lines(
      "models:",
      "  m:",
      "    cmd: a --port ${PORT}",
      "    cmd: b --port ${PORT}",
    ),
    "models.m.cmd",
    'duplicate key "cmd"',
  );

  assert.equal(error.line, 4);
  assert.equal(error.column, 5);
});

Deno.test("loadConfig() reports only the first of a cascade of YAML syntax errors", () => {
  const errors = errorsOf(
    lines("models:", "  m: [unclosed", "  n: x", "other: 1"),
  );

  assert.equal(errors.length, 1);
  assert.match(errors[0]?.message ?? "", /^cannot parse YAML: /);
});

Deno.test("loadConfig() refuses a top level that is not a mapping, and several documents", () => {
  assertOneError("- a\n- b\n", "", "top-level YAML must be a mapping");
  assertOneError("a: 1\n---\nb: 2\n", "", "more than one YAML document");
});

Deno.test("loadConfig() refuses values of the wrong shape", () => {
  assertOneError(
    lines("models: [a, b]"),
    "models",
    "must be a mapping, got a list",
  );
  assertOneError(
    lines("models:", "  m: just text"),
    "models.m",
    'must be a mapping, got "just text"',
  );
  assertOneError(
    lines("apiKeys: key"),
    "apiKeys",
    'must be a list of keys, got "key"',
  );
  assertOneError(
    lines("macros: [a]"),
    "macros",
    "must be a mapping of macro names to values",
  );
});

Deno.test("loadConfig() applies merge keys with explicit keys winning", () => {
  const config = loadOk(lines(
    "defs:",
    "  base: &base",
    "    cmd: s --port ${PORT}",
    "    ttl: 10",
    "    name: base",
    "  extra: &extra",
    "    ttl: 20",
    "    description: extra",
    "models:",
    "  m:",
    "    name: own",
    "    <<: [*base, *extra]",
  ));

  assert.equal(config.models.m?.name, "own");
  assert.equal(config.models.m?.ttl, 10);
  assert.equal(config.models.m?.description, "extra");
});

Deno.test("loadConfig() refuses aliases that expand without bound", () => {
  const rows = ["a: &a [x, x, x, x, x, x, x, x, x, x]"];
  for (let i = 1; i < 7; i++) {
    const previous = String.fromCharCode(96 + i);
    const name = String.fromCharCode(97 + i);
    rows.push(
      `${name}: &${name} [${Array(10).fill(`*${previous}`).join(", ")}]`,
    );
  }

  const errors = errorsOf(lines(...rows));

  assert.equal(errors.length, 1);
  assert.match(errors[0]?.message ?? "", /aliases expand to more than/);
});

Deno.test("formatConfigError() leaves out a missing line and a missing file", () => {
  const error = { line: 0, column: 0, path: "", message: "boom" };

  assert.equal(formatConfigError({ ...error, file: "c.yaml" }), "c.yaml: boom");
  assert.equal(formatConfigError({ ...error, file: "" }), "boom");
});
