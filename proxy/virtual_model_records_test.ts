import assert from "node:assert/strict";
import type { ApiKey, Config, SelectorConfig } from "../config/types.ts";
import { testConfig, testModel, testPeer } from "../tests/proxy_fakes.ts";
import { pinRecords, selectorRecords } from "./virtual_model_records.ts";

const base = { object: "model", created: 1, owned_by: "llama-swap" };

function selector(id: string, targets: string[]): SelectorConfig {
  return {
    id,
    strategy: "warm",
    targets,
    spillover: 1,
    name: "",
    description: "",
    unlisted: false,
    metadata: {},
  };
}

function config(): Config {
  return {
    ...testConfig([testModel("a", { aliases: ["alias-a"] }), testModel("b")], {
      peers: [testPeer("remote", ["far"])],
    }),
    selectors: {
      onlyA: selector("onlyA", ["alias-a"]),
      onlyB: selector("onlyB", ["b"]),
    },
  };
}

function listing(apiKey: ApiKey | null) {
  return { config: config(), processes: new Map(), base, apiKey };
}

Deno.test("selectorRecords() shows a scoped key only selectors reaching its models", () => {
  const records = selectorRecords(listing({ key: "k", models: ["a"] }));

  assert.deepEqual(records.map((r) => r.id), ["onlyA"]);
});

Deno.test("pinRecords() skips names that exist, empty targets and targets out of scope", () => {
  const profile = {
    name: "p",
    description: "",
    pins: {
      fresh: "b",
      toA: "onlyA",
      a: "b",
      "alias-a": "b",
      far: "b",
      onlyB: "a",
      off: "",
    },
  };

  const all = pinRecords(listing(null), profile);
  const scoped = pinRecords(listing({ key: "k", models: ["a"] }), profile);

  assert.deepEqual(all.map((r) => r.id), ["fresh", "toA"]);
  assert.deepEqual(scoped.map((r) => r.id), ["toA"]);
  assert.deepEqual(all[0], {
    id: "fresh",
    ...base,
    status: { value: "unloaded" },
    meta: { llamaswap: { type: "profile" } },
  });
});
