import assert from "node:assert/strict";
import { testConfig, testModel, testPeer } from "../tests/proxy_fakes.ts";
import { peerRoutes } from "./peers.ts";
import { resolveModel } from "./resolve_model.ts";

Deno.test("resolveModel() resolves an ID, an alias and a setParamsByID alias to the real model", () => {
  const config = testConfig([
    testModel("real", { aliases: ["nick", "real-fast"] }),
  ]);

  for (const name of ["real", "nick", "real-fast"]) {
    const target = resolveModel(config, name);

    assert.equal(target?.kind, "local", name);
    assert.equal(target?.id, "real");
    assert.equal(target?.requested, name);
  }
});

Deno.test("resolveModel() returns null for an unknown name and for prototype keys", () => {
  const config = testConfig([testModel("m1")]);

  assert.equal(resolveModel(config, "unknown-model"), null);
  assert.equal(resolveModel(config, "constructor"), null);
  assert.equal(resolveModel(config, "__proto__"), null);
});

Deno.test("resolveModel() prefers a local model over a peer with the same name", () => {
  const config = testConfig([testModel("shared")], {
    peers: [testPeer("cuda", ["shared"])],
  });

  assert.equal(resolveModel(config, "shared")?.kind, "local");
  assert.equal(resolveModel(config, "cuda/shared")?.kind, "peer");
});

Deno.test("peerRoutes() lists every FQN and only unambiguous bare names", () => {
  const config = testConfig([], {
    peers: [
      testPeer("p1", ["shared", "org/model"]),
      testPeer("p2", ["shared", "unique"]),
    ],
  });

  const names = [...peerRoutes(config).keys()].sort();

  assert.deepEqual(names, [
    "org/model",
    "p1/org/model",
    "p1/shared",
    "p2/shared",
    "p2/unique",
    "unique",
  ]);
});

Deno.test("peerRoutes() gives an FQN to its own peer before another peer's bare name", () => {
  const config = testConfig([], {
    peers: [testPeer("p1", ["model"]), testPeer("p2", ["p1/model"])],
  });

  const routes = peerRoutes(config);

  assert.equal(routes.get("p1/model")?.peer.id, "p1");
  assert.equal(routes.get("p1/model")?.model, "model");
  assert.equal(routes.get("p2/p1/model")?.model, "p1/model");
});

Deno.test("resolveModel() names a peer model by its FQN", () => {
  const config = testConfig([], {
    peers: [testPeer("strix", ["Q3.6-27B-MTP"])],
  });

  const target = resolveModel(config, "Q3.6-27B-MTP");

  assert.equal(target?.kind, "peer");
  assert.equal(target?.id, "strix/Q3.6-27B-MTP");
});
