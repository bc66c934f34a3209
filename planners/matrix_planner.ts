import type { Logger } from "../log/mod.ts";
import type { MatrixProgram } from "./matrix/program.ts";
import type { MatrixDecision } from "./matrix/solver.ts";
import type { Planner } from "./types.ts";

/** The last question answered, kept so the swap log need not solve again. */
interface Remembered {
  readonly target: string;
  readonly running: readonly string[];
  readonly decision: MatrixDecision;
}

/**
 * Plans swaps with a compiled swap matrix: the cheapest allowed combination
 * holding the target decides what stops (see `MatrixProgram.explain()`).
 *
 * `evictionFor()` never logs. `onSwapCommitted()` writes one info line,
 * under the `matrix` component, with the set chosen, its expression, the
 * models stopped, the whole combination and the eviction cost.
 */
export class MatrixPlanner implements Planner {
  readonly program: MatrixProgram;
  #last: Remembered | null = null;

  constructor(program: MatrixProgram) {
    this.program = program;
  }

  evictionFor(target: string, running: readonly string[]): string[] {
    return [...this.#decide(target, running).evict];
  }

  /**
   * Logs the decision behind a committed swap. It reuses the last answer of
   * `evictionFor()` when asked about the same target and running models,
   * which is the usual case: the scheduler commits what it just asked.
   */
  onSwapCommitted(
    target: string,
    running: readonly string[],
    evict: readonly string[],
    log: Logger,
  ): void {
    const decision = this.#decide(target, running);
    const fields = {
      model: target,
      set: decision.setName ?? undefined,
      dsl: decision.dsl ?? undefined,
      evict: [...evict],
      target: [...decision.target],
      cost: decision.cost,
    };
    log.child("matrix").info(describe(decision, target, running), fields);
  }

  #decide(target: string, running: readonly string[]): MatrixDecision {
    const last = this.#last;
    if (last && last.target === target && sameList(last.running, running)) {
      return last.decision;
    }

    const decision = this.program.explain(target, running);
    this.#last = { target, running: [...running], decision };
    return decision;
  }
}

/** The log message for a decision; the fields carry the details. */
function describe(
  decision: MatrixDecision,
  target: string,
  running: readonly string[],
): string {
  if (running.includes(target)) return "model already counted as running";
  if (decision.setName === null) return "model is in no set, runs alone";
  if (decision.evict.length > 0) return "stopping models outside the set";
  if (running.length === 0) return "starting with no models running";
  return "starting beside the running models";
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((item, i) => item === b[i]);
}
