import assert from "node:assert/strict";
import type { MatrixConfig } from "../../config/types.ts";
import { compileMatrix } from "./compile.ts";
import { MatrixError } from "./errors.ts";

const MODELS = new Set([
  "gemma",
  "qwen",
  "mistral",
  "voxtral",
  "llama70B",
  "reranker",
  "org/model",
]);

function matrix(
  sets: Record<string, string>,
  extra: Partial<Omit<MatrixConfig, "sets">> = {},
): MatrixConfig {
  return {
    vars: extra.vars ?? {},
    evictCosts: extra.evictCosts ?? {},
    sets: Object.entries(sets).map(([name, dsl]) => ({ name, dsl })),
  };
}

function compileError(config: MatrixConfig, models = MODELS): MatrixError {
  try {
    compileMatrix(config, models);
  } catch (error) {
    if (error instanceof MatrixError) return error;
    throw error;
  }
  throw new Error("Expected the matrix to be rejected");
}

Deno.test("compileMatrix() requires at least one set", () => {
  const error = compileError(matrix({}, { vars: { g: "gemma" } }));

  assert.equal(error.message, "matrix: at least one set is required");
  assert.equal(error.setName, undefined);
  assert.equal(error.offset, undefined);
});

Deno.test("compileMatrix() rejects var keys that are too long, empty or use '_'", () => {
  for (const key of ["v".repeat(33), "a_b", "", "a b"]) {
    const error = compileError(matrix({ s: "gemma" }, {
      vars: { [key]: "gemma" },
    }));

    assert.equal(
      error.message,
      `matrix: var ${
        JSON.stringify(key)
      }: name must be 1 to 32 letters, digits, "-" or "."`,
    );
  }
});

Deno.test("compileMatrix() rejects a var that names no model", () => {
  const error = compileError(matrix({ s: "g" }, { vars: { g: "gemma2" } }));

  assert.equal(error.message, 'matrix: var "g": unknown model "gemma2"');
});

Deno.test("compileMatrix() rejects costs that are not positive integers", () => {
  for (const cost of [0, -1, 1.5, Number.NaN]) {
    const error = compileError(matrix({ s: "gemma" }, {
      evictCosts: { gemma: cost },
    }));

    assert.equal(
      error.message,
      `matrix: evict_costs: cost of "gemma" must be a positive integer, got ${cost}`,
    );
  }
});

Deno.test("compileMatrix() rejects a cost key that is neither var nor model", () => {
  const error = compileError(matrix({ s: "gemma" }, {
    evictCosts: { nobody: 3 },
  }));

  assert.equal(
    error.message,
    'matrix: evict_costs: unknown var or model "nobody"',
  );
});

Deno.test("compileMatrix() rejects two different costs for one model", () => {
  const error = compileError(matrix({ s: "gemma" }, {
    vars: { g: "gemma" },
    evictCosts: { g: 2, gemma: 5 },
  }));

  assert.equal(
    error.message,
    'matrix: evict_costs: "g" and "gemma" give model "gemma" different costs',
  );
});

Deno.test("compileMatrix() names the set and offset of an unknown name", () => {
  const error = compileError(matrix({
    ok: "gemma",
    broken: "g & nonexistent",
  }, { vars: { g: "gemma" } }));

  assert.equal(
    error.message,
    'matrix: set "broken": unknown var or model "nonexistent" at 4',
  );
  assert.equal(error.setName, "broken");
  assert.equal(error.offset, 4);
});

Deno.test("compileMatrix() names the set and offset of a syntax error", () => {
  const cases: [string, number, string][] = [
    ["", 0, "expression is empty"],
    ["(gemma", 6, 'missing ")" for the "(" at 0'],
    ["gemma)", 5, 'unexpected ")" at 5 after a complete expression'],
    ["()", 1, 'unexpected ")" at 1, expected a name, "+set" or "("'],
    ["+", 0, '"+" at 0 is not followed by a set name'],
    ["gemma @ qwen", 6, 'unexpected character "@" at 6'],
  ];

  for (const [dsl, offset, detail] of cases) {
    const error = compileError(matrix({ coding: dsl }));

    assert.equal(error.message, `matrix: set "coding": ${detail}`);
    assert.equal(error.setName, "coding");
    assert.equal(error.offset, offset);
    assert.ok(error.cause instanceof SyntaxError);
  }
});

Deno.test("compileMatrix() rejects a reference to an undefined set", () => {
  const error = compileError(matrix({ a: "gemma & +nonexistent" }));

  assert.equal(
    error.message,
    'matrix: set "a": "+nonexistent" at 8 refers to an undefined set',
  );
  assert.equal(error.setName, "a");
  assert.equal(error.offset, 8);
});

Deno.test("compileMatrix() rejects sets that refer to each other", () => {
  const error = compileError(matrix({ x: "gemma & +y", y: "+x" }));

  assert.equal(
    error.message,
    'matrix: set "x": circular reference "x" -> "y" -> "x"',
  );
  assert.equal(error.setName, "x");
  assert.equal(error.offset, 8);
});

Deno.test("compileMatrix() rejects a set that refers to itself", () => {
  const error = compileError(matrix({ ok: "gemma", self: "qwen | +self" }));

  assert.equal(
    error.message,
    'matrix: set "self": circular reference "self" -> "self"',
  );
  assert.equal(error.offset, 7);
});

Deno.test("compileMatrix() finds a cycle reached through a set outside it", () => {
  const error = compileError(matrix({
    top: "+a",
    a: "+b",
    b: "gemma | +c",
    c: "+a",
  }));

  assert.equal(
    error.message,
    'matrix: set "a": circular reference "a" -> "b" -> "c" -> "a"',
  );
  assert.equal(error.setName, "a");
});

Deno.test("compileMatrix() accepts a set referenced from two places", () => {
  const config = matrix({
    base: "gemma",
    left: "+base & qwen",
    right: "+base & mistral",
    both: "+left | +right",
  });

  const program = compileMatrix(config, MODELS);

  assert.deepEqual(program.combinations("both"), [
    ["gemma", "qwen"],
    ["gemma", "mistral"],
  ]);
});

Deno.test("compileMatrix() rejects a set name given twice", () => {
  const config: MatrixConfig = {
    vars: {},
    evictCosts: {},
    sets: [{ name: "s", dsl: "gemma" }, { name: "s", dsl: "qwen" }],
  };

  const error = compileError(config);

  assert.equal(error.message, 'matrix: set "s" is defined more than once');
  assert.equal(error.setName, "s");
});
