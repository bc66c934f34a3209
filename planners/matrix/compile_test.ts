import assert from "node:assert/strict";
import type { MatrixConfig } from "../../config/types.ts";
import { compileMatrix } from "./compile.ts";

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

Deno.test("MatrixProgram.combinations() refuses to list more than its limit", () => {
  const models = new Set(["a", "b", "c", "d"]);
  const program = compileMatrix(matrix({ s: "(a | b) & (c | d)" }), models);

  assert.throws(() => program.combinations("s", 3), RangeError);
  assert.throws(() => program.combinations("missing"), RangeError);
});
