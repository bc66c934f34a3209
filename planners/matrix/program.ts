import type { MatrixSet } from "../../config/types.ts";
import { type CompiledSet, expandNode } from "./node.ts";

/** Combinations `combinations()` lists before it gives up. */
const DEFAULT_LIST_LIMIT = 10_000;

/**
 * A validated swap matrix, built by `compileMatrix()`.
 *
 * Immutable; every method is pure and safe to call from anywhere.
 */
export class MatrixProgram {
  /** Sets in solving order: the order that breaks ties between costs. */
  readonly sets: readonly MatrixSet[];
  readonly #compiled: readonly CompiledSet[];
  readonly #costs: ReadonlyMap<string, number>;

  /** Use `compileMatrix()`; this trusts its input to be checked. */
  constructor(
    compiled: readonly CompiledSet[],
    costs: ReadonlyMap<string, number>,
  ) {
    this.#compiled = compiled;
    this.#costs = costs;
    this.sets = Object.freeze(
      compiled.map((set) => Object.freeze({ name: set.name, dsl: set.dsl })),
    );
    Object.freeze(this);
  }

  /** What stopping `model` costs: its configured cost, or 1. */
  evictCost(model: string): number {
    return this.#costs.get(model) ?? 1;
  }

  /**
   * Every combination of models the set allows, each sorted, in the order
   * the solver considers them. Meant for display and tests: it lists every
   * combination, which the solver never does.
   *
   * @throws {RangeError} for an unknown set, or when the set has more than
   * `limit` combinations.
   */
  combinations(setName: string, limit = DEFAULT_LIST_LIMIT): string[][] {
    const set = this.#compiled.find((s) => s.name === setName);
    if (!set) {
      throw new RangeError(
        `Cannot list matrix combinations: no set ${JSON.stringify(setName)}`,
      );
    }
    return expandNode(set.root, limit);
  }
}
