import type { RouterConfig } from "../config/types.ts";
import { GroupPlanner } from "./group_planner.ts";
import { compileMatrix } from "./matrix/compile.ts";
import { MatrixPlanner } from "./matrix_planner.ts";
import type { Planner } from "./types.ts";

/**
 * The planner `router.use` asks for. Called when the router is built, at
 * start and on every config reload.
 *
 * @param modelIds Every configured model ID; group members and matrix
 * names must be among them.
 * @throws {MatrixError} for an invalid matrix, or `Error` for a group
 * member that is unknown or in two groups.
 */
export function createPlanner(
  router: RouterConfig,
  modelIds: ReadonlySet<string>,
): Planner {
  switch (router.use) {
    case "group":
      return new GroupPlanner(router.groups, modelIds);
    case "matrix":
      return new MatrixPlanner(compileMatrix(router.matrix, modelIds));
  }
}
