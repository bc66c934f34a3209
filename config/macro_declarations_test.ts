import assert from "node:assert/strict";
import { assertOneError, lines, loadOk } from "./test_helpers.ts";

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
