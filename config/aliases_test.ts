import assert from "node:assert/strict";
import { assertOneError, lines, loadOk, warningsOf } from "./test_helpers.ts";

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
