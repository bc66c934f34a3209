import assert from "node:assert/strict";
import { LiveState, statusesFromListing } from "./live_state.js";

function request(id: string, model: string) {
  return {
    id,
    timestamp: "2026-01-01T00:00:00Z",
    model,
    req_path: "/v1/chat/completions",
    method: "POST",
    resp_bytes: 0,
    elapsed_ms: 0,
  };
}

Deno.test("LiveState.apply() tracks in-flight snapshots, upserts and removals", () => {
  const state = new LiveState();

  state.apply("inflight", {
    operation: "snapshot",
    requests: [request("1", "a"), request("2", "b")],
  });
  state.apply("inflight", { operation: "upsert", request: request("3", "a") });
  state.apply("inflight", { operation: "remove", id: "2" });

  assert.equal(state.inflightCount, 2);
  assert.deepEqual([...state.inflightByModel()], [["a", 2]]);
});

Deno.test("LiveState.apply() treats a snapshot without requests as empty", () => {
  const state = new LiveState();
  state.apply("inflight", { operation: "upsert", request: request("1", "a") });

  state.apply("inflight", { operation: "snapshot" });

  assert.equal(state.inflightCount, 0);
});

Deno.test("LiveState.apply() counts queued requests per model", () => {
  const state = new LiveState();

  state.apply("queue", {
    depth: 3,
    entries: [
      { model: "a", position: 1, waited_ms: 900 },
      { model: "b", position: 2, waited_ms: 400 },
      { model: "a", position: 3, waited_ms: 10 },
    ],
  });

  assert.equal(state.queue.depth, 3);
  assert.deepEqual(state.waitingByModel().get("a"), 2);
});

Deno.test("LiveState notifies listeners on changes and ignores other types", () => {
  const state = new LiveState();
  let calls = 0;
  state.onChange(() => calls++);

  const applied = state.apply("modelStatus", [{ id: "a" }]);
  const ignored = state.apply("logData", { source: "proxy", data: "x" });
  state.reset();

  assert.equal(applied, true);
  assert.equal(ignored, false);
  assert.equal(calls, 2);
  assert.deepEqual(state.models, []);
});

Deno.test("statusesFromListing() merges /v1/models with the states of /running", () => {
  const listing = {
    data: [
      {
        id: "a",
        name: "Alpha",
        meta: { llamaswap: { type: "model", aliases: ["a1"] } },
      },
      { id: "a1", meta: { llamaswap: { type: "alias", modelID: "a" } } },
      { id: "b", description: "Beta", meta: { llamaswap: { type: "model" } } },
      { id: "p/m", meta: { llamaswap: { type: "peer", peerID: "p" } } },
    ],
  };
  const running = { running: [{ model: "a", state: "ready" }] };

  const statuses = statusesFromListing(listing, running);

  assert.deepEqual(statuses, [
    {
      id: "a",
      name: "Alpha",
      description: "",
      state: "ready",
      unlisted: false,
      peerID: "",
      aliases: ["a1"],
    },
    {
      id: "b",
      name: "",
      description: "Beta",
      state: "stopped",
      unlisted: false,
      peerID: "",
    },
    {
      id: "p/m",
      name: "",
      description: "",
      state: "stopped",
      unlisted: false,
      peerID: "p",
    },
  ]);
});
