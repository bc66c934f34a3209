import assert from "node:assert/strict";
import { assertOneError, lines, loadOk } from "./test_helpers.ts";

const ONE_MODEL = ["models:", "  m:", "    cmd: s --port ${PORT}"];

Deno.test("loadConfig() keeps capabilities only when something is set", () => {
  const read = (...block: string[]) =>
    loadOk(lines(...ONE_MODEL, "    capabilities:", ...block)).models.m
      ?.capabilities;

  assert.deepEqual(
    read(
      "      in: [text, image]",
      "      out: [text]",
      "      tools: true",
      "      context: 4096",
    ),
    {
      in: ["text", "image"],
      out: ["text"],
      tools: true,
      reranker: false,
      context: 4096,
    },
  );
  assert.deepEqual(read("      tools: true", "      context: 8192"), {
    in: [],
    out: [],
    tools: true,
    reranker: false,
    context: 8192,
  });
  assert.equal(read("      tools: false"), null);
  assert.equal(read("      reranker: false"), null);
  assert.equal(read("      reranker: true")?.reranker, true);
  assert.equal(loadOk(lines(...ONE_MODEL)).models.m?.capabilities, null);
});

Deno.test("loadConfig() refuses unknown modalities and a negative context", () => {
  assertOneError(
    lines(...ONE_MODEL, "    capabilities:", "      in: [text, video]"),
    "models.m.capabilities.in[1]",
    'unknown modality "video"',
  );
  assertOneError(
    lines(...ONE_MODEL, "    capabilities:", "      context: -1"),
    "models.m.capabilities.context",
    "must be a number of tokens >= 0",
  );
});

Deno.test("loadConfig() fills capabilities from macros and merged anchors", () => {
  const config = loadOk(lines(
    "macros: {default_ctx: 98304, modality: audio, tools: true}",
    "defs:",
    "  llm: &llm-capabilities",
    "    in: [text]",
    "    out: [text]",
    "    tools: ${tools}",
    "    context: ${default_ctx}",
    "models:",
    "  a:",
    "    cmd: s --port ${PORT}",
    "    macros: {default_ctx: 65536}",
    "    capabilities:",
    "      <<: [*llm-capabilities]",
    "  b:",
    "    cmd: s --port ${PORT}",
    "    capabilities:",
    "      <<: *llm-capabilities",
    '      in: ["${modality}"]',
    '      context: "${default_ctx}"',
  ));

  assert.deepEqual(config.models.a?.capabilities, {
    in: ["text"],
    out: ["text"],
    tools: true,
    reranker: false,
    context: 65536,
  });
  assert.deepEqual(config.models.b?.capabilities?.in, ["audio"]);
  assert.equal(config.models.b?.capabilities?.context, 98304);
});
