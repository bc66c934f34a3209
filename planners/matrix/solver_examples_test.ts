import assert from "node:assert/strict";
import { program } from "./test_program.ts";

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

Deno.test("MatrixProgram.explain() in config example 12.C: llm-a starts alone in set llms", () => {
  const decision = LEGACY.explain("llm-a", []);

  assert.equal(decision.setName, "llms");
  assert.deepEqual(decision.evict, []);
});

Deno.test("MatrixProgram.explain() in config example 12.C: rerank joins llm-a and tts in set full", () => {
  const decision = LEGACY.explain("rerank", ["llm-a", "tts"]);

  assert.equal(decision.setName, "full");
  assert.deepEqual(decision.target, ["llm-a", "rerank", "tts"]);
  assert.deepEqual(decision.evict, []);
});

Deno.test("MatrixProgram.explain() in config example 12.C: llm-b replaces llm-a in set voice", () => {
  const decision = LEGACY.explain("llm-b", ["llm-a", "tts"]);

  assert.equal(decision.setName, "voice");
  assert.deepEqual(decision.target, ["llm-b", "tts"]);
  assert.deepEqual(decision.evict, ["llm-a"]);
  assert.equal(decision.cost, 1);
});

Deno.test("MatrixProgram.explain() in config example 12.C: big70 stops llm-a and tts at cost 21", () => {
  const decision = LEGACY.explain("big70", ["llm-a", "tts"]);

  assert.equal(decision.setName, "heavy");
  assert.deepEqual(decision.evict, ["llm-a", "tts"]);
  assert.equal(decision.cost, 21);
});

Deno.test("MatrixProgram.explain() in config example 12.C: tts stops big70 in the first set with tts", () => {
  const decision = LEGACY.explain("tts", ["big70"]);

  assert.equal(decision.setName, "voice");
  assert.deepEqual(decision.target, ["llm-a", "tts"]);
  assert.deepEqual(decision.evict, ["big70"]);
  assert.equal(decision.cost, 5);
});

Deno.test("MatrixProgram.explain() in config example 12.C: solo is in no set and stops everything", () => {
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

Deno.test("MatrixProgram.explain() in config example 12.D: the second worker joins the first in set twin", () => {
  const decision = ROUTING.explain("worker-2", ["worker-1"]);

  assert.equal(decision.setName, "twin");
  assert.deepEqual(decision.evict, []);
});

Deno.test("MatrixProgram.explain() in config example 12.D: a worker keeps the costly whisper running", () => {
  const decision = ROUTING.explain("worker-1", ["qwen-coder", "whisper"]);

  assert.equal(decision.setName, "twin_voice");
  assert.deepEqual(decision.target, ["whisper", "worker-1", "worker-2"]);
  assert.deepEqual(decision.evict, ["qwen-coder"]);
  assert.equal(decision.cost, 1);
});

Deno.test("MatrixProgram.explain() in config example 12.D: the vision model replaces the coder beside whisper", () => {
  const decision = ROUTING.explain("gemma-vision", ["qwen-coder", "whisper"]);

  assert.equal(decision.setName, "dev");
  assert.deepEqual(decision.evict, ["qwen-coder"]);
});

Deno.test("MatrixProgram.setContaining() finds the first set that allows all models together", () => {
  assert.equal(ROUTING.setContaining(["worker-1", "worker-2"]), "twin");
  assert.equal(ROUTING.setContaining(["whisper", "worker-2"]), "twin_voice");
  assert.equal(ROUTING.setContaining(["qwen-coder", "worker-1"]), null);
});
