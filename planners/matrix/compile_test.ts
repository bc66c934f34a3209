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

Deno.test("compileMatrix() expands the example of config section 12.C in order", () => {
  const models = new Set(["llm-a", "llm-b", "tts", "rerank", "big70", "solo"]);
  const config = matrix({
    llms: "a | b",
    voice: "+llms & t",
    full: "+voice & r",
    heavy: "B70",
  }, {
    vars: { a: "llm-a", b: "llm-b", t: "tts", r: "rerank", B70: "big70" },
    evictCosts: { t: 20, B70: 5 },
  });

  const program = compileMatrix(config, models);

  assert.deepEqual(program.sets.map((s) => s.name), [
    "llms",
    "voice",
    "full",
    "heavy",
  ]);
  assert.deepEqual(
    program.sets.map((s) => program.combinations(s.name)),
    [
      [["llm-a"], ["llm-b"]],
      [["llm-a", "tts"], ["llm-b", "tts"]],
      [["llm-a", "rerank", "tts"], ["llm-b", "rerank", "tts"]],
      [["big70"]],
    ],
  );
  assert.deepEqual(
    ["tts", "big70", "llm-a", "solo"].map((m) => program.evictCost(m)),
    [20, 5, 1, 1],
  );
});

Deno.test("compileMatrix() expands the example of config section 12.D without vars for most names", () => {
  const models = new Set([
    "qwen-coder",
    "gemma-vision",
    "whisper",
    "worker-1",
    "worker-2",
  ]);
  const config = matrix({
    twin: "worker-1 & worker-2",
    dev: "(coder | vision) & whisper",
    twin_voice: "+twin & whisper",
  }, {
    vars: { coder: "qwen-coder", vision: "gemma-vision" },
    evictCosts: { whisper: 10 },
  });

  const program = compileMatrix(config, models);

  assert.deepEqual(program.combinations("twin"), [["worker-1", "worker-2"]]);
  assert.deepEqual(program.combinations("dev"), [
    ["qwen-coder", "whisper"],
    ["gemma-vision", "whisper"],
  ]);
  assert.deepEqual(program.combinations("twin_voice"), [
    ["whisper", "worker-1", "worker-2"],
  ]);
  assert.equal(program.evictCost("whisper"), 10);
});

Deno.test("compileMatrix() follows the combination rules of the DSL", () => {
  const models = new Set(["a", "b", "c", "d"]);
  const config = matrix({
    mixed: "a | b & c",
    product: "(a | b) & (c | d)",
    twice: "a & a",
    repeated: "a | a | b",
  });

  const program = compileMatrix(config, models);

  assert.deepEqual(program.combinations("mixed"), [["a"], ["b", "c"]]);
  assert.deepEqual(program.combinations("product"), [
    ["a", "c"],
    ["a", "d"],
    ["b", "c"],
    ["b", "d"],
  ]);
  assert.deepEqual(program.combinations("twice"), [["a"]]);
  assert.deepEqual(program.combinations("repeated"), [["a"], ["b"]]);
});

Deno.test("compileMatrix() splices referenced sets and orders sets after their references", () => {
  const config = matrix({
    mega: "+with_tts & e",
    llms: "g | q | m",
    with_tts: "+llms & v",
  }, {
    vars: {
      g: "gemma",
      q: "qwen",
      m: "mistral",
      v: "voxtral",
      e: "reranker",
    },
  });

  const program = compileMatrix(config, MODELS);

  assert.deepEqual(program.sets.map((s) => s.name), [
    "llms",
    "with_tts",
    "mega",
  ]);
  assert.deepEqual(program.combinations("mega"), [
    ["gemma", "reranker", "voxtral"],
    ["qwen", "reranker", "voxtral"],
    ["mistral", "reranker", "voxtral"],
  ]);
});

Deno.test("compileMatrix() mixes vars and model IDs and dedups a var with its model", () => {
  const config = matrix({
    base: "g | qwen",
    combo: "+base & voxtral",
    same: "g & gemma",
  }, { vars: { g: "gemma" } });

  const program = compileMatrix(config, MODELS);

  assert.deepEqual(program.combinations("combo"), [
    ["gemma", "voxtral"],
    ["qwen", "voxtral"],
  ]);
  assert.deepEqual(program.combinations("same"), [["gemma"]]);
});

Deno.test("compileMatrix() lets a var shadow a model of the same name", () => {
  const config = matrix({ s: "qwen & voxtral" }, { vars: { qwen: "gemma" } });

  const program = compileMatrix(config, MODELS);

  assert.deepEqual(program.combinations("s"), [["gemma", "voxtral"]]);
});

Deno.test("compileMatrix() reaches a model ID with '/' through a var", () => {
  const config = matrix({ s: "om & gemma" }, { vars: { om: "org/model" } });

  const program = compileMatrix(config, MODELS);

  assert.deepEqual(program.combinations("s"), [["gemma", "org/model"]]);
});

Deno.test("compileMatrix() accepts cost keys that are model IDs or vars", () => {
  const config = matrix({ s: "gemma | qwen" }, {
    vars: { q: "qwen" },
    evictCosts: { gemma: 7, q: 3, qwen: 3 },
  });

  const program = compileMatrix(config, MODELS);

  assert.equal(program.evictCost("gemma"), 7);
  assert.equal(program.evictCost("qwen"), 3);
  assert.equal(program.evictCost("mistral"), 1);
});

Deno.test("compileMatrix() accepts var keys of 32 characters, '-' and '.'", () => {
  const vars = {
    ["v".repeat(32)]: "gemma",
    "model-var": "qwen",
    "model.var": "mistral",
  };
  const config = matrix({ s: Object.keys(vars).join(" | ") }, { vars });

  const program = compileMatrix(config, MODELS);

  assert.deepEqual(program.combinations("s"), [
    ["gemma"],
    ["qwen"],
    ["mistral"],
  ]);
});

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

Deno.test("MatrixProgram.combinations() refuses to list more than its limit", () => {
  const models = new Set(["a", "b", "c", "d"]);
  const program = compileMatrix(matrix({ s: "(a | b) & (c | d)" }), models);

  assert.throws(() => program.combinations("s", 3), RangeError);
  assert.throws(() => program.combinations("missing"), RangeError);
});
