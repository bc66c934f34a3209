import assert from "node:assert/strict";
import { LogBuffer, Logger } from "../log/mod.ts";
import { compileMatrix } from "./matrix/compile.ts";
import { MatrixPlanner } from "./matrix_planner.ts";

function examplePlanner(): MatrixPlanner {
  const program = compileMatrix({
    vars: { g: "gemma", q: "qwen", v: "voxtral", L: "llama70B" },
    evictCosts: { L: 30, v: 50 },
    sets: [
      { name: "standard", dsl: "(g | q) & v" },
      { name: "full", dsl: "L" },
    ],
  }, new Set(["gemma", "qwen", "voxtral", "llama70B", "other"]));
  return new MatrixPlanner(program);
}

function recordingLogger(): { sink: LogBuffer; log: Logger } {
  const sink = new LogBuffer();
  return { sink, log: new Logger(sink, { level: "debug" }).child("router") };
}

Deno.test("MatrixPlanner.evictionFor() returns the solver's evictions", () => {
  const planner = examplePlanner();

  assert.deepEqual(planner.evictionFor("qwen", ["gemma", "voxtral"]), [
    "gemma",
  ]);
  assert.deepEqual(planner.evictionFor("llama70B", ["qwen", "voxtral"]), [
    "qwen",
    "voxtral",
  ]);
  assert.deepEqual(planner.evictionFor("gemma", ["voxtral"]), []);
});

Deno.test("MatrixPlanner.evictionFor() gives callers a copy they may change", () => {
  const planner = examplePlanner();

  planner.evictionFor("qwen", ["gemma", "voxtral"]).push("voxtral");

  assert.deepEqual(planner.evictionFor("qwen", ["gemma", "voxtral"]), [
    "gemma",
  ]);
});

Deno.test("MatrixPlanner.onSwapCommitted() logs the set, expression, evictions, combination and cost", () => {
  const planner = examplePlanner();
  const { sink, log } = recordingLogger();
  const evict = planner.evictionFor("qwen", ["gemma", "voxtral"]);

  planner.onSwapCommitted("qwen", ["gemma", "voxtral"], evict, log);

  assert.equal(
    sink.text(),
    '[INFO] matrix: stopping models outside the set model=qwen set=standard dsl="(g | q) & v" evict=gemma target=qwen,voxtral cost=1\n',
  );
});

Deno.test("MatrixPlanner.onSwapCommitted() solves afresh when asked about another swap", () => {
  const planner = examplePlanner();
  const { sink, log } = recordingLogger();
  planner.evictionFor("qwen", ["gemma", "voxtral"]);

  planner.onSwapCommitted("llama70B", ["voxtral"], ["voxtral"], log);

  assert.equal(
    sink.text(),
    "[INFO] matrix: stopping models outside the set model=llama70B set=full dsl=L evict=voxtral target=llama70B cost=50\n",
  );
});

Deno.test("MatrixPlanner.onSwapCommitted() says when nothing runs yet", () => {
  const planner = examplePlanner();
  const { sink, log } = recordingLogger();

  planner.onSwapCommitted("gemma", [], [], log);

  assert.equal(
    sink.text(),
    '[INFO] matrix: starting with no models running model=gemma set=standard dsl="(g | q) & v" evict="" target=gemma,voxtral cost=0\n',
  );
});

Deno.test("MatrixPlanner.onSwapCommitted() says when the target joins running models", () => {
  const planner = examplePlanner();
  const { sink, log } = recordingLogger();

  planner.onSwapCommitted("gemma", ["voxtral"], [], log);

  assert.match(
    sink.text(),
    /^\[INFO\] matrix: starting beside the running models model=gemma set=standard /,
  );
});

Deno.test("MatrixPlanner.onSwapCommitted() says when the target is in no set", () => {
  const planner = examplePlanner();
  const { sink, log } = recordingLogger();

  planner.onSwapCommitted(
    "other",
    ["gemma", "voxtral"],
    ["gemma", "voxtral"],
    log,
  );

  assert.equal(
    sink.text(),
    "[INFO] matrix: model is in no set, runs alone model=other evict=gemma,voxtral target=other cost=51\n",
  );
});

Deno.test("MatrixPlanner.onSwapCommitted() says when the target is already counted as running", () => {
  const planner = examplePlanner();
  const { sink, log } = recordingLogger();

  planner.onSwapCommitted("gemma", ["gemma", "voxtral"], [], log);

  assert.match(
    sink.text(),
    /^\[INFO\] matrix: model already counted as running model=gemma set=standard /,
  );
});

Deno.test("MatrixPlanner logs exactly one line per committed swap and none for queries", () => {
  const planner = examplePlanner();
  const { sink, log } = recordingLogger();

  for (let i = 0; i < 20; i++) {
    planner.evictionFor("qwen", ["gemma", "voxtral"]);
    planner.evictionFor("llama70B", ["gemma"]);
  }
  assert.equal(sink.text(), "");

  planner.onSwapCommitted("qwen", ["gemma", "voxtral"], ["gemma"], log);
  planner.onSwapCommitted("llama70B", ["voxtral"], ["voxtral"], log);

  assert.equal(sink.text().split("\n").filter(Boolean).length, 2);
});
