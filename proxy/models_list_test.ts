import assert from "node:assert/strict";
import type { Capabilities } from "../config/types.ts";
import {
  FakeProcess,
  testConfig,
  testModel,
  testPeer,
} from "../tests/proxy_fakes.ts";
import { capabilityFields, listModels } from "./models_list.ts";

function caps(overrides: Partial<Capabilities>): Capabilities {
  return {
    in: [],
    out: [],
    tools: false,
    reranker: false,
    context: 0,
    ...overrides,
  };
}

Deno.test("listModels() lists local and peer models sorted, never unlisted ones", () => {
  const config = testConfig([
    testModel("visible", { name: " Visible ", description: "" }),
    testModel("hidden", { unlisted: true }),
  ], { peers: [testPeer("peer1", ["remote-model"])] });

  const records = listModels({
    config,
    processes: new Map(),
    created: 100,
    apiKey: null,
  });

  assert.deepEqual(records.map((r) => r.id), ["peer1/remote-model", "visible"]);
  assert.deepEqual(records[1], {
    id: "visible",
    object: "model",
    created: 100,
    owned_by: "llama-swap",
    name: "Visible",
    status: { value: "unloaded" },
    meta: { llamaswap: { type: "model" } },
  });
  assert.deepEqual(records[0], {
    id: "peer1/remote-model",
    object: "model",
    created: 100,
    owned_by: "llama-swap",
    name: "peer1: remote-model",
    status: { value: "unloaded" },
    meta: { llamaswap: { type: "peer", peerID: "peer1" } },
  });
});

Deno.test("listModels() lists a local model and the same name on two peers", () => {
  const config = testConfig([testModel("shared")], {
    peers: [testPeer("cuda", ["shared"]), testPeer("strix", ["shared"])],
  });

  const ids = listModels({
    config,
    processes: new Map(),
    created: 0,
    apiKey: null,
  })
    .map((r) => r.id);

  assert.deepEqual(ids, ["cuda/shared", "shared", "strix/shared"]);
});

Deno.test("listModels() adds alias records when includeAliasesInList is on", () => {
  const config = testConfig(
    [testModel("real", { aliases: ["nick"], metadata: { family: "x" } })],
    { includeAliasesInList: true },
  );

  const records = listModels({
    config,
    processes: new Map(),
    created: 0,
    apiKey: null,
  });

  assert.deepEqual(records.map((r) => r.id), ["nick", "real"]);
  assert.deepEqual(records[0]!["meta"], {
    llamaswap: { family: "x", type: "alias", modelID: "real" },
  });
  assert.deepEqual(records[1]!["meta"], {
    llamaswap: { family: "x", type: "model", aliases: ["nick"] },
  });
});

Deno.test("listModels() marks running models and their aliases loaded", () => {
  const config = testConfig([
    testModel("loaded-model", { aliases: ["loaded-alias"] }),
    testModel("unloaded-model"),
  ], { includeAliasesInList: true, peers: [testPeer("p", ["remote"])] });
  const processes = new Map([
    ["loaded-model", new FakeProcess("loaded-model", "starting")],
    ["unloaded-model", new FakeProcess("unloaded-model", "stopped")],
  ]);

  const records = listModels({ config, processes, created: 0, apiKey: null });

  const status = Object.fromEntries(
    records.map((r) => [r.id, (r["status"] as { value: string }).value]),
  );
  assert.deepEqual(status, {
    "loaded-alias": "loaded",
    "loaded-model": "loaded",
    "p/remote": "unloaded",
    "unloaded-model": "unloaded",
  });
});

Deno.test("listModels() shows a scoped key only its models", () => {
  const config = testConfig([testModel("a"), testModel("b")], {
    peers: [testPeer("p", ["r1", "r2"])],
  });
  const apiKey = { key: "k", models: ["b", "p/r2"] };

  const ids = listModels({ config, processes: new Map(), created: 0, apiKey })
    .map((r) => r.id);

  assert.deepEqual(ids, ["b", "p/r2"]);
});

Deno.test("capabilityFields() describes modalities, tools and context", () => {
  const fields = capabilityFields(caps({
    in: ["text", "image"],
    out: ["text", "audio"],
    tools: true,
    context: 100000,
  }));

  assert.deepEqual(fields, {
    architecture: {
      input_modalities: ["text", "image"],
      output_modalities: ["text", "audio"],
      modality: "text+image->text+audio",
    },
    capabilities: { vision: true, audio_speech: true, function_calling: true },
    supported_parameters: ["tools", "tool_choice"],
    context_length: 100000,
  });
});

Deno.test("capabilityFields() handles the edge cases of partial capabilities", () => {
  assert.deepEqual(capabilityFields(caps({ in: ["image"] })), {
    architecture: { input_modalities: ["image"] },
    capabilities: { vision: true },
  });
  assert.deepEqual(capabilityFields(caps({ out: ["audio"] })), {
    architecture: { output_modalities: ["audio"] },
  });
  assert.deepEqual(capabilityFields(caps({ tools: true })), {
    capabilities: { function_calling: true },
    supported_parameters: ["tools", "tool_choice"],
  });
  assert.deepEqual(capabilityFields(caps({ reranker: true })), {
    capabilities: { reranker: true },
  });
  assert.deepEqual(capabilityFields(caps({ context: 4096 })), {
    context_length: 4096,
  });
  assert.deepEqual(
    capabilityFields(caps({ in: ["audio"], out: ["text"] }))["capabilities"],
    { audio_transcriptions: true },
  );
  assert.deepEqual(
    capabilityFields(caps({ in: ["text"], out: ["image"] }))["capabilities"],
    { image_generation: true },
  );
  assert.deepEqual(
    capabilityFields(caps({ in: ["image"], out: ["image"] }))["capabilities"],
    { vision: true, image_to_image: true },
  );
  assert.deepEqual(capabilityFields(null), {});
});

Deno.test("listModels() drops capability keys from metadata only when capabilities are set", () => {
  const metadata = { architecture: "mine", capabilities: "mine", custom: 1 };
  const config = testConfig([
    testModel("with", {
      metadata,
      capabilities: caps({ tools: true, context: 128000 }),
    }),
    testModel("without", { metadata }),
  ]);

  const [withCaps, withoutCaps] = listModels({
    config,
    processes: new Map(),
    created: 0,
    apiKey: null,
  });

  assert.deepEqual(withCaps!["meta"], {
    llamaswap: { custom: 1, type: "model" },
    n_ctx: 128000,
  });
  assert.deepEqual(withoutCaps!["meta"], {
    llamaswap: { ...metadata, type: "model" },
  });
});
