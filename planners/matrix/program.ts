import type { MatrixSet } from "../../config/types.ts";
import { type CompiledSet, expandNode } from "./node.ts";
import { firstSetHolding, type MatrixDecision, solveMatrix } from "./solver.ts";

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
   * Which running models must stop so `target` can run, and why: the set
   * and combination chosen and what the eviction costs. See `solveMatrix()`
   * for the rules. Pure and fast: it never lists combinations.
   */
  explain(target: string, running: readonly string[]): MatrixDecision {
    return solveMatrix(
      this.#compiled,
      (m) => this.evictCost(m),
      target,
      running,
    );
  }

  /** The models `explain()` would stop, in the order of `running`. */
  evictionFor(target: string, running: readonly string[]): string[] {
    return [...this.explain(target, running).evict];
  }

  /**
   * The first set, in solving order, with one combination holding every
   * model in `models`; null when no set allows them all to run together.
   */
  setContaining(models: readonly string[]): string | null {
    return firstSetHolding(this.#compiled, models)?.name ?? null;
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
