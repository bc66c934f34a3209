import assert from "node:assert/strict";
import { errorTexts, example, loadOk, model } from "./test_helpers.ts";

Deno.test("loadConfig() compiles example C's legacy matrix", () => {
  const config = loadOk(example("example_c"));

  const ports = Object.fromEntries(
    Object.values(config.models).map((m) => [m.id, m.port]),
  );
  assert.deepEqual(ports, {
    big70: 7000,
    "llm-a": 7001,
    "llm-b": 7002,
    rerank: 7003,
    solo: 7004,
    tts: 7005,
  });
  assert.deepEqual(config.routing.router, {
    use: "matrix",
    matrix: {
      vars: { a: "llm-a", b: "llm-b", t: "tts", r: "rerank", B70: "big70" },
      evictCosts: { t: 20, B70: 5 },
      sets: [
        { name: "llms", dsl: "a | b" },
        { name: "voice", dsl: "+llms & t" },
        { name: "full", dsl: "+voice & r" },
        { name: "heavy", dsl: "B70" },
      ],
    },
  });
  assert.deepEqual(config.preload, ["tts"]);
  assert.equal(model(config, "big70").ttl, 900);
});

Deno.test("loadConfig() reports example C's documented variations", () => {
  const text = example("example_c");

  const byModelId = loadOk(text.replace('heavy: "B70"', 'heavy: "big70"'));
  const withGroups = errorTexts(text + "groups: {g: {members: [solo]}}\n");
  const circular = errorTexts(
    text.replace(/ {4}llms: .*\n(?: {4}.*\n)*/, '    x: "+y"\n    y: "+x"\n'),
  );

  assert.equal(byModelId.routing.router.use, "matrix");
  assert.equal(withGroups.length, 1);
  assert.match(
    withGroups[0] ?? "",
    /config\.yaml:16:1: matrix: cannot be used together with top-level "groups"/,
  );
  assert.equal(circular.length, 1);
  assert.match(
    circular[0] ?? "",
    /matrix\.sets\.x: .*circular|matrix\.sets\.x: .*cycle/i,
  );
});
