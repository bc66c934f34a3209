import assert from "node:assert/strict";
import { NameIndex } from "./names.ts";
import type { PeerConfig } from "./types.ts";

function peer(id: string, models: string[]): PeerConfig {
  return {
    id,
    proxy: "http://127.0.0.1:1",
    apiKey: "",
    models,
    filters: { stripParams: "", strip: [], setParams: {}, setParamsByID: {} },
    timeouts: {
      connect: 30,
      keepalive: 30,
      responseHeader: 60,
      tlsHandshake: 10,
      expectContinue: 1,
      idleConn: 90,
    },
  };
}

Deno.test("NameIndex.resolve() prefers local names, then full names, then unique bare names", () => {
  const names = new NameIndex(
    new Set(["shared"]),
    new Map([["nick", "shared"]]),
    [peer("p1", ["shared", "org/model"]), peer("p2", ["shared", "unique"])],
  );

  assert.deepEqual(names.resolve("p1/shared"), {
    kind: "peer",
    fqn: "p1/shared",
  });
  assert.deepEqual(names.resolve("p2/shared"), {
    kind: "peer",
    fqn: "p2/shared",
  });
  assert.deepEqual(names.resolve("p1/org/model"), {
    kind: "peer",
    fqn: "p1/org/model",
  });
  assert.deepEqual(names.resolve("unique"), { kind: "peer", fqn: "p2/unique" });
  assert.deepEqual(names.resolve("shared"), { kind: "model", id: "shared" });
  assert.deepEqual(names.resolve("nick"), { kind: "model", id: "shared" });
  assert.deepEqual(names.resolve("missing"), { kind: "unknown" });
});

Deno.test("NameIndex.resolve() reports a bare name several peers serve as ambiguous", () => {
  const names = new NameIndex(new Set(), new Map(), [
    peer("a", ["m"]),
    peer("b", ["m"]),
  ]);

  assert.deepEqual(names.resolve("m"), {
    kind: "ambiguous",
    fqns: ["a/m", "b/m"],
  });
  assert.equal(names.canonical("m"), null);
});

Deno.test("NameIndex.resolve() matches an exact full name before splitting it", () => {
  const names = new NameIndex(new Set(), new Map(), [
    peer("p1", ["model"]),
    peer("p2", ["p1/model"]),
  ]);

  assert.deepEqual(names.resolve("p1/model"), {
    kind: "peer",
    fqn: "p1/model",
  });
  assert.deepEqual(names.resolve("p2/p1/model"), {
    kind: "peer",
    fqn: "p2/p1/model",
  });
});
