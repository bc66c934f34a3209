import assert from "node:assert/strict";
import { createPlanner } from "./create_planner.ts";
import { GroupPlanner } from "./group_planner.ts";
import { MatrixError } from "./matrix/errors.ts";
import { MatrixPlanner } from "./matrix_planner.ts";

const MODELS = new Set(["a", "b", "c"]);

Deno.test("createPlanner() builds a group planner for use: group", () => {
  const planner = createPlanner({
    use: "group",
    groups: {
      "(default)": {
        swap: true,
        exclusive: true,
        persistent: false,
        members: ["a", "b", "c"],
      },
    },
  }, MODELS);

  assert.ok(planner instanceof GroupPlanner);
  assert.deepEqual(planner.evictionFor("b", ["a"]), ["a"]);
});

Deno.test("createPlanner() builds a matrix planner for use: matrix", () => {
  const planner = createPlanner({
    use: "matrix",
    matrix: { vars: {}, evictCosts: {}, sets: [{ name: "s", dsl: "a & b" }] },
  }, MODELS);

  assert.ok(planner instanceof MatrixPlanner);
  assert.deepEqual(planner.evictionFor("b", ["a"]), []);
  assert.deepEqual(planner.evictionFor("c", ["a"]), ["a"]);
});

Deno.test("createPlanner() passes an invalid matrix on as a MatrixError", () => {
  assert.throws(
    () =>
      createPlanner({
        use: "matrix",
        matrix: {
          vars: {},
          evictCosts: {},
          sets: [{ name: "s", dsl: "a & z" }],
        },
      }, MODELS),
    MatrixError,
  );
});

Deno.test("createPlanner() rejects a group member that is not a model", () => {
  assert.throws(
    () =>
      createPlanner({
        use: "group",
        groups: {
          g: { swap: true, exclusive: true, persistent: false, members: ["x"] },
        },
      }, MODELS),
    /unknown model "x"/,
  );
});
