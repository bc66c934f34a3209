import assert from "node:assert/strict";
import type { MatrixConfig } from "../../config/types.ts";
import { compileMatrix } from "./compile.ts";
import type { MatrixProgram } from "./program.ts";

function program(
  sets: Record<string, string>,
  options: {
    vars?: Record<string, string>;
    evictCosts?: Record<string, number>;
    models?: readonly string[];
  } = {},
): MatrixProgram {
  const vars = options.vars ?? {};
  const models = new Set([
    ...Object.values(vars),
    ...(options.models ?? []),
    ...Object.values(sets).flatMap((dsl) => dsl.match(/[\w.-]+/g) ?? []),
  ]);
  const config: MatrixConfig = {
    vars,
    evictCosts: options.evictCosts ?? {},
    sets: Object.entries(sets).map(([name, dsl]) => ({ name, dsl })),
  };
  return compileMatrix(config, models);
}

/** The example matrix of router reference 4.6. */
const EXAMPLE = program({ standard: "(g | q | m) & v", full: "L" }, {
  vars: { g: "gemma", q: "qwen", m: "mistral", v: "voxtral", L: "llama70B" },
  evictCosts: { L: 30, v: 50 },
  models: ["other"],
});

Deno.test("MatrixProgram.explain() starts gemma next to nothing in set standard", () => {
  assert.deepEqual(EXAMPLE.explain("gemma", []), {
    setName: "standard",
    dsl: "(g | q | m) & v",
    target: ["gemma", "voxtral"],
    evict: [],
    cost: 0,
  });
});

Deno.test("MatrixProgram.explain() swaps gemma for qwen and keeps voxtral", () => {
  const decision = EXAMPLE.explain("qwen", ["gemma", "voxtral"]);

  assert.equal(decision.setName, "standard");
  assert.deepEqual(decision.target, ["qwen", "voxtral"]);
  assert.deepEqual(decision.evict, ["gemma"]);
  assert.equal(decision.cost, 1);
});

Deno.test("MatrixProgram.explain() starts gemma beside a running voxtral for free", () => {
  const decision = EXAMPLE.explain("gemma", ["voxtral"]);

  assert.equal(decision.setName, "standard");
  assert.deepEqual(decision.target, ["gemma", "voxtral"]);
  assert.deepEqual(decision.evict, []);
  assert.equal(decision.cost, 0);
});

Deno.test("MatrixProgram.explain() pays 51 to run llama70B in set full", () => {
  const decision = EXAMPLE.explain("llama70B", ["qwen", "voxtral"]);

  assert.equal(decision.setName, "full");
  assert.equal(decision.dsl, "L");
  assert.deepEqual(decision.target, ["llama70B"]);
  assert.deepEqual(decision.evict, ["qwen", "voxtral"]);
  assert.equal(decision.cost, 51);
});

Deno.test("MatrixProgram.explain() breaks a three-way tie with the first combination", () => {
  const decision = EXAMPLE.explain("voxtral", ["llama70B"]);

  assert.equal(decision.setName, "standard");
  assert.deepEqual(decision.target, ["gemma", "voxtral"]);
  assert.deepEqual(decision.evict, ["llama70B"]);
  assert.equal(decision.cost, 30);
});

Deno.test("MatrixProgram.explain() runs a model that is in no set alone", () => {
  assert.deepEqual(EXAMPLE.explain("other", ["gemma", "voxtral"]), {
    setName: null,
    dsl: null,
    target: ["other"],
    evict: ["gemma", "voxtral"],
    cost: 51,
  });
});

Deno.test("MatrixProgram.explain() evicts nothing when the target already runs", () => {
  const decision = EXAMPLE.explain("gemma", ["gemma", "voxtral"]);

  assert.deepEqual(decision, {
    setName: "standard",
    dsl: "(g | q | m) & v",
    target: ["gemma", "voxtral"],
    evict: [],
    cost: 0,
  });
});

Deno.test("MatrixProgram.explain() reports no set when the running models fit in none", () => {
  const decision = EXAMPLE.explain("gemma", ["gemma", "llama70B"]);

  assert.equal(decision.setName, null);
  assert.deepEqual(decision.evict, []);
});

Deno.test("MatrixProgram.explain() lets costs steer away from the first set", () => {
  const steered = program({ a_with_c: "a & c", a_with_b: "a & b" }, {
    evictCosts: { b: 10, c: 1 },
  });

  const decision = steered.explain("a", ["b", "c"]);

  assert.equal(decision.setName, "a_with_b");
  assert.deepEqual(decision.evict, ["c"]);
  assert.equal(decision.cost, 1);
});

Deno.test("MatrixProgram.explain() gives a tie to the earlier set", () => {
  const tied = program({ first: "a & b", second: "a & c" });

  assert.equal(tied.explain("a", []).setName, "first");
});

Deno.test("MatrixProgram.explain() breaks ties in dependency order, not written order", () => {
  const tied = program({ later: "+base & c", base: "a & b" });

  assert.equal(tied.explain("a", []).setName, "base");
});

Deno.test("MatrixProgram.explain() reaches a combination built from references", () => {
  const refs = program({
    llms: "g | q | m",
    with_tts: "+llms & v",
    mega: "+with_tts & e",
  }, {
    vars: {
      g: "gemma",
      q: "qwen",
      m: "mistral",
      v: "voxtral",
      e: "reranker",
    },
  });

  const decision = refs.explain("reranker", ["gemma", "voxtral"]);

  assert.equal(decision.setName, "mega");
  assert.deepEqual(decision.target, ["gemma", "reranker", "voxtral"]);
  assert.deepEqual(decision.evict, []);
});

Deno.test("MatrixProgram.explain() mixes vars and model IDs in one decision", () => {
  const mixed = program({ base: "g | qwen", combo: "+base & voxtral" }, {
    vars: { g: "gemma" },
  });

  const decision = mixed.explain("qwen", ["voxtral"]);

  assert.equal(decision.setName, "combo");
  assert.deepEqual(decision.target, ["qwen", "voxtral"]);
});

/** The matrix of config reference 12.C. */
const LEGACY = program({
  llms: "a | b",
  voice: "+llms & t",
  full: "+voice & r",
  heavy: "B70",
}, {
  vars: { a: "llm-a", b: "llm-b", t: "tts", r: "rerank", B70: "big70" },
  evictCosts: { t: 20, B70: 5 },
  models: ["solo"],
});

Deno.test("Config example 12.C: llm-a starts alone in set llms", () => {
  const decision = LEGACY.explain("llm-a", []);

  assert.equal(decision.setName, "llms");
  assert.deepEqual(decision.evict, []);
});

Deno.test("Config example 12.C: rerank joins llm-a and tts in set full", () => {
  const decision = LEGACY.explain("rerank", ["llm-a", "tts"]);

  assert.equal(decision.setName, "full");
  assert.deepEqual(decision.target, ["llm-a", "rerank", "tts"]);
  assert.deepEqual(decision.evict, []);
});

Deno.test("Config example 12.C: llm-b replaces llm-a in set voice", () => {
  const decision = LEGACY.explain("llm-b", ["llm-a", "tts"]);

  assert.equal(decision.setName, "voice");
  assert.deepEqual(decision.target, ["llm-b", "tts"]);
  assert.deepEqual(decision.evict, ["llm-a"]);
  assert.equal(decision.cost, 1);
});

Deno.test("Config example 12.C: big70 stops llm-a and tts at cost 21", () => {
  const decision = LEGACY.explain("big70", ["llm-a", "tts"]);

  assert.equal(decision.setName, "heavy");
  assert.deepEqual(decision.evict, ["llm-a", "tts"]);
  assert.equal(decision.cost, 21);
});

Deno.test("Config example 12.C: tts stops big70 in the first set with tts", () => {
  const decision = LEGACY.explain("tts", ["big70"]);

  assert.equal(decision.setName, "voice");
  assert.deepEqual(decision.target, ["llm-a", "tts"]);
  assert.deepEqual(decision.evict, ["big70"]);
  assert.equal(decision.cost, 5);
});

Deno.test("Config example 12.C: solo is in no set and stops everything", () => {
  const decision = LEGACY.explain("solo", ["llm-a"]);

  assert.equal(decision.setName, null);
  assert.deepEqual(decision.evict, ["llm-a"]);
});

/** The matrix of config reference 12.D. */
const ROUTING = program({
  twin: "worker-1 & worker-2",
  dev: "(coder | vision) & whisper",
  twin_voice: "+twin & whisper",
}, {
  vars: { coder: "qwen-coder", vision: "gemma-vision" },
  evictCosts: { whisper: 10 },
});

Deno.test("Config example 12.D: the second worker joins the first in set twin", () => {
  const decision = ROUTING.explain("worker-2", ["worker-1"]);

  assert.equal(decision.setName, "twin");
  assert.deepEqual(decision.evict, []);
});

Deno.test("Config example 12.D: a worker keeps the costly whisper running", () => {
  const decision = ROUTING.explain("worker-1", ["qwen-coder", "whisper"]);

  assert.equal(decision.setName, "twin_voice");
  assert.deepEqual(decision.target, ["whisper", "worker-1", "worker-2"]);
  assert.deepEqual(decision.evict, ["qwen-coder"]);
  assert.equal(decision.cost, 1);
});

Deno.test("Config example 12.D: the vision model replaces the coder beside whisper", () => {
  const decision = ROUTING.explain("gemma-vision", ["qwen-coder", "whisper"]);

  assert.equal(decision.setName, "dev");
  assert.deepEqual(decision.evict, ["qwen-coder"]);
});

Deno.test("MatrixProgram.explain() keeps both models named twice through a reference", () => {
  const overlap = program({ base: "a & b", s: "t & +base & b" });

  const decision = overlap.explain("t", ["a", "b"]);

  assert.equal(decision.setName, "s");
  assert.deepEqual(decision.target, ["a", "b", "t"]);
  assert.deepEqual(decision.evict, []);
});

Deno.test("MatrixProgram.explain() prefers the alternative that keeps more running", () => {
  const dominated = program({ s: "t & (a | (a & b))" });

  const decision = dominated.explain("t", ["a", "b"]);

  assert.deepEqual(decision.target, ["a", "b", "t"]);
  assert.deepEqual(decision.evict, []);
});

Deno.test("MatrixProgram.explain() solves six ANDed groups of ten alternatives", () => {
  const groups = ["a", "b", "c", "d", "e", "f"].map((prefix) =>
    `(${Array.from({ length: 10 }, (_, i) => `${prefix}${i}`).join(" | ")})`
  );
  const wide = program({ wide: groups.join(" & ") }, { models: ["outside"] });
  const running = ["a3", "b7", "c1", "d0", "e9", "outside"];

  const decision = wide.explain("f5", running);

  assert.equal(decision.setName, "wide");
  assert.deepEqual(decision.target, ["a3", "b7", "c1", "d0", "e9", "f5"]);
  assert.deepEqual(decision.evict, ["outside"]);
  assert.equal(decision.cost, 1);
});

Deno.test("MatrixProgram.explain() solves seventy ANDed models", () => {
  const names = Array.from({ length: 70 }, (_, i) => `m${i}`);
  const chain = program({ chain: names.join(" & ") }, { models: ["outside"] });
  const running = [...names.slice(0, 69), "outside"];

  const decision = chain.explain("m69", running);

  assert.deepEqual(decision.target, [...names].sort());
  assert.deepEqual(decision.evict, ["outside"]);

  const missing = chain.explain("m69", ["m0", "outside"]);
  assert.deepEqual(missing.evict, ["outside"]);
});

Deno.test("MatrixProgram.evictionFor() returns only the models to stop", () => {
  assert.deepEqual(EXAMPLE.evictionFor("qwen", ["gemma", "voxtral"]), [
    "gemma",
  ]);
});

Deno.test("MatrixProgram.setContaining() finds the first set that allows all models together", () => {
  assert.equal(ROUTING.setContaining(["worker-1", "worker-2"]), "twin");
  assert.equal(ROUTING.setContaining(["whisper", "worker-2"]), "twin_voice");
  assert.equal(ROUTING.setContaining(["qwen-coder", "worker-1"]), null);
});
