import assert from "node:assert/strict";
import { program } from "./test_program.ts";

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

Deno.test("MatrixProgram.explain() reports the earliest combination even when a later one keeps the same models", () => {
  const ordered = program({ s: "t & (p | a) & (a | q)" });

  const decision = ordered.explain("t", ["a"]);

  assert.deepEqual(decision.target, ["a", "p", "t"]);
  assert.deepEqual(decision.evict, []);
});

Deno.test("MatrixProgram.explain() stays quick with many optional companions running", () => {
  const companions = Array.from({ length: 24 }, (_, i) => `r${i}`);
  const optional = program({
    s: `t & ${companions.map((r) => `(x | ${r})`).join(" & ")}`,
  });

  const decision = optional.explain("t", companions);

  assert.deepEqual(decision.evict, []);
  assert.deepEqual(decision.target, [...companions, "t"].sort());
});
