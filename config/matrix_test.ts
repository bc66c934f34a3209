import assert from "node:assert/strict";
import { assertOneError, errorsOf, lines, loadOk } from "./test_helpers.ts";

const MODELS = [
  "models:",
  "  gemma:",
  "    cmd: g --port ${PORT}",
  "  qwen:",
  "    cmd: q --port ${PORT}",
  "    aliases: [q]",
  "  voxtral:",
  "    cmd: v --port ${PORT}",
];

Deno.test("loadConfig() builds a matrix from vars, costs and ordered sets", () => {
  const config = loadOk(lines(
    ...MODELS,
    "matrix:",
    "  vars: {g: gemma, q: qwen, v: voxtral}",
    "  evict_costs: {v: 50, gemma: 3}",
    "  sets:",
    '    standard: "(g | q) & v"',
    '    solo: "q"',
    '    alias_free: "gemma & voxtral"',
  ));

  assert.deepEqual(config.routing.router, {
    use: "matrix",
    matrix: {
      vars: { g: "gemma", q: "qwen", v: "voxtral" },
      evictCosts: { v: 50, gemma: 3 },
      sets: [
        { name: "standard", dsl: "(g | q) & v" },
        { name: "solo", dsl: "q" },
        { name: "alias_free", dsl: "gemma & voxtral" },
      ],
    },
  });
});

Deno.test("loadConfig() points a matrix expression error at its character", () => {
  const text = lines(
    ...MODELS,
    "matrix:",
    "  vars: {g: gemma}",
    "  sets:",
    '    broken: "g & nonexistent"',
  );

  const error = assertOneError(text, "matrix.sets.broken", "nonexistent");

  assert.equal(error.line, 12);
  assert.equal(error.column, 18);
});

Deno.test("loadConfig() reports matrix var and cost problems at their keys", () => {
  const badVar = assertOneError(
    lines(
      ...MODELS,
      "matrix:",
      "  vars: {ok: gemma, x: nope}",
      "  sets: {s: ok}",
    ),
    "matrix.vars.x",
    "nope",
  );
  const aliasVar = assertOneError(
    lines(...MODELS, "matrix:", "  vars: {x: q}", "  sets: {s: x}"),
    "matrix.vars.x",
    "use the model ID",
  );
  const zeroCost = assertOneError(
    lines(
      ...MODELS,
      "matrix:",
      "  evict_costs: {gemma: 0}",
      "  sets: {s: gemma}",
    ),
    "matrix.evict_costs.gemma",
    "must be a whole number > 0, got 0",
  );
  const unknownCost = errorsOf(
    lines(...MODELS, "matrix:", "  evict_costs: {zz: 2}", "  sets: {s: gemma}"),
  );

  assert.equal(badVar.line, 10);
  assert.equal(
    aliasVar.message,
    '"q" is an alias of model "qwen"; use the model ID',
  );
  assert.equal(zeroCost.line, 10);
  assert.equal(unknownCost.length, 1);
  assert.equal(unknownCost[0]?.path, "matrix.evict_costs");
  assert.match(unknownCost[0]?.message ?? "", /zz/);
});

Deno.test("loadConfig() refuses set references that are missing or circular", () => {
  const missing = errorsOf(
    lines(...MODELS, "matrix: {sets: {a: +nonexistent}}"),
  );
  const circular = errorsOf(
    lines(...MODELS, "matrix:", "  sets:", '    a: "+b"', '    b: "+a"'),
  );
  const empty = errorsOf(lines(...MODELS, "matrix: {}"));

  assert.equal(missing.length, 1);
  assert.equal(missing[0]?.path, "matrix.sets.a");
  assert.equal(circular.length, 1);
  assert.match(circular[0]?.path ?? "", /^matrix\.sets\.[ab]$/);
  assert.equal(empty.length, 1);
  assert.equal(empty[0]?.path, "matrix");
});

Deno.test("loadConfig() refuses a matrix whose sets are not a mapping", () => {
  assertOneError(
    lines(...MODELS, "matrix: {sets: [gemma]}"),
    "matrix.sets",
    "must be a mapping",
  );
});
