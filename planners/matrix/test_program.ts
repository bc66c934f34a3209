import type { MatrixConfig } from "../../config/types.ts";
import { compileMatrix } from "./compile.ts";
import type { MatrixProgram } from "./program.ts";

/**
 * Compiles `sets` for a test; every name written in them, every var value
 * and every name in `models` counts as a configured model.
 */
export function program(
  sets: Record<string, string>,
  options: {
    vars?: Record<string, string>;
    evictCosts?: Record<string, number>;
    models?: readonly string[];
  } = {},
): MatrixProgram {
  const vars = options.vars ?? {};
  const models = new Set([
    ...Object.values(vars),
    ...(options.models ?? []),
    ...Object.values(sets).flatMap((dsl) => dsl.match(/[\w.-]+/g) ?? []),
  ]);
  const config: MatrixConfig = {
    vars,
    evictCosts: options.evictCosts ?? {},
    sets: Object.entries(sets).map(([name, dsl]) => ({ name, dsl })),
  };
  return compileMatrix(config, models);
}
