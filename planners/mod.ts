/**
 * Planners decide which running models stop so a requested model can run:
 * by groups, or by a swap matrix written in a small expression language.
 * The router builds one with `createPlanner()`; the config loader validates
 * matrices with `compileMatrix()`.
 */
export type { Planner } from "./types.ts";
export { createPlanner } from "./create_planner.ts";
export { DEFAULT_GROUP, GroupPlanner } from "./group_planner.ts";
export { MatrixPlanner } from "./matrix_planner.ts";
export { compileMatrix } from "./matrix/compile.ts";
export {
  MatrixError,
  type MatrixErrorOptions,
  MatrixSyntaxError,
} from "./matrix/errors.ts";
export { type MatrixExpr, parseMatrixExpression } from "./matrix/parser.ts";
export { MatrixProgram } from "./matrix/program.ts";
export type { MatrixDecision } from "./matrix/solver.ts";
export { type MatrixToken, tokenize } from "./matrix/tokenizer.ts";
