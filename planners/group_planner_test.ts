import assert from "node:assert/strict";
import type { GroupConfig } from "../config/types.ts";
import { LogBuffer, Logger } from "../log/mod.ts";
import { GroupPlanner } from "./group_planner.ts";
import type { Planner } from "./types.ts";

function group(
  members: string[],
  flags: Partial<Omit<GroupConfig, "members">> = {},
): GroupConfig {
  return {
    swap: flags.swap ?? true,
    exclusive: flags.exclusive ?? true,
    persistent: flags.persistent ?? false,
    members,
  };
}

/** The groups of router reference 3.3. */
const TABLE = new GroupPlanner({
  g1: group(["a", "b"]),
  g2: group(["c", "d"], { swap: false, exclusive: false }),
  forever: group(["e"], { persistent: true, swap: false, exclusive: false }),
  "(default)": group(["z"]),
});

const TABLE_ROWS: [string[], string, string[], string][] = [
  [[], "a", [], "nothing runs"],
  [["a"], "b", ["a"], "a swaps out of its own group"],
  [
    ["a", "e"],
    "c",
    [],
    "a non-exclusive group leaves an exclusive one running",
  ],
  [["a", "c", "e"], "d", [], "a non-swapping, non-exclusive group adds d"],
  [
    ["a", "c", "d", "e"],
    "b",
    ["a", "c", "d"],
    "an exclusive group stops all but persistent e",
  ],
  [["c", "d", "e"], "z", ["c", "d"], "(default) is exclusive too"],
  [["z"], "c", [], "z and c run side by side"],
  [["c", "z"], "a", ["c", "z"], "g1 stops every other group"],
];

for (const [running, target, evict, why] of TABLE_ROWS) {
  Deno.test(`GroupPlanner.evictionFor() evicts [${evict}] for ${target} beside [${running}]: ${why}`, () => {
    assert.deepEqual(TABLE.evictionFor(target, running), evict);
  });
}

Deno.test("GroupPlanner.evictionFor() stops the other member of a swapping group", () => {
  const planner = new GroupPlanner({ g: group(["a", "b"]) });

  assert.deepEqual(planner.evictionFor("b", ["a"]), ["a"]);
});

Deno.test("GroupPlanner.evictionFor() keeps members of a group with swap off together", () => {
  const planner = new GroupPlanner({ g: group(["a", "b"], { swap: false }) });

  assert.deepEqual(planner.evictionFor("b", ["a"]), []);
});

Deno.test("GroupPlanner.evictionFor() stops a model of another group for an exclusive target", () => {
  const planner = new GroupPlanner({ g1: group(["a"]), g2: group(["b"]) });

  assert.deepEqual(planner.evictionFor("b", ["a"]), ["a"]);
});

Deno.test("GroupPlanner.evictionFor() lets two non-exclusive groups run side by side", () => {
  const planner = new GroupPlanner({
    g1: group(["a"], { exclusive: false }),
    g2: group(["b"], { exclusive: false }),
  });

  assert.deepEqual(planner.evictionFor("b", ["a"]), []);
  assert.deepEqual(planner.evictionFor("a", ["b"]), []);
});

Deno.test("GroupPlanner.evictionFor() never stops a persistent group for another group", () => {
  const planner = new GroupPlanner({
    persist: group(["a"], { persistent: true, exclusive: false }),
    other: group(["b"]),
  });

  assert.deepEqual(planner.evictionFor("b", ["a"]), []);
});

Deno.test("GroupPlanner.evictionFor() still swaps inside a persistent group", () => {
  const planner = new GroupPlanner({
    persist: group(["a", "b"], { persistent: true }),
  });

  assert.deepEqual(planner.evictionFor("b", ["a"]), ["a"]);
});

Deno.test("GroupPlanner.evictionFor() judges exclusivity only from the target's group", () => {
  const planner = new GroupPlanner({
    g1: group(["a"]),
    g2: group(["b"], { exclusive: false }),
  });

  assert.deepEqual(planner.evictionFor("b", ["a"]), []);
  assert.deepEqual(planner.evictionFor("a", ["b"]), ["b"]);
});

Deno.test("GroupPlanner.evictionFor() evicts nothing when the target already runs", () => {
  assert.deepEqual(TABLE.evictionFor("a", ["a", "b", "c"]), []);
});

Deno.test("GroupPlanner.evictionFor() answers in the order of the running list", () => {
  assert.deepEqual(TABLE.evictionFor("a", ["z", "d", "c"]), ["z", "d", "c"]);
});

Deno.test("GroupPlanner.evictionFor() treats models in no group as members of (default)", () => {
  const planner = new GroupPlanner({
    g: group(["a"], { exclusive: false }),
    "(default)": group(["x"], { swap: false }),
  });

  assert.equal(planner.groupOf("stray"), "(default)");
  assert.deepEqual(planner.evictionFor("stray", ["x", "a"]), ["a"]);
  assert.deepEqual(planner.evictionFor("a", ["stray"]), []);
});

Deno.test("GroupPlanner.evictionFor() swaps ungrouped models when (default) is not configured", () => {
  const planner = new GroupPlanner({});

  assert.deepEqual(planner.evictionFor("b", ["a"]), ["a"]);
});

Deno.test("GroupPlanner rejects a model that is a member of two groups", () => {
  assert.throws(
    () => new GroupPlanner({ g1: group(["a"]), g2: group(["b", "a"]) }),
    {
      message:
        'Cannot build the group planner: model "a" is in groups "g1" and "g2"',
    },
  );
});

Deno.test("GroupPlanner rejects a member that is not a configured model", () => {
  assert.throws(
    () => new GroupPlanner({ g: group(["a", "ghost"]) }, new Set(["a"])),
    {
      message:
        'Cannot build the group planner: group "g" lists unknown model "ghost"',
    },
  );
});

Deno.test("GroupPlanner.onSwapCommitted() writes nothing to the log", () => {
  const sink = new LogBuffer();
  const log = new Logger(sink, { level: "debug" });
  const planner: Planner = TABLE;

  planner.onSwapCommitted("b", ["a"], ["a"], log);

  assert.equal(sink.text(), "");
});
