/**
 * Planners decide which running models stop so a requested model can run:
 * by groups, or by a swap matrix written in a small expression language.
 */
export type { Planner } from "./types.ts";
export { compileMatrix } from "./matrix/compile.ts";
export { MatrixError, MatrixSyntaxError } from "./matrix/errors.ts";
export type { MatrixErrorOptions } from "./matrix/errors.ts";
export { type MatrixExpr, parseMatrixExpression } from "./matrix/parser.ts";
export { MatrixProgram } from "./matrix/program.ts";
export type { MatrixDecision } from "./matrix/solver.ts";
export { type MatrixToken, tokenize } from "./matrix/tokenizer.ts";
