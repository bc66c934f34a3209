import type { CompiledSet, MatrixNode } from "./node.ts";

/** What the matrix solver chose for one target, for logs and tests. */
export interface MatrixDecision {
  /** The set holding the chosen combination; null when none holds it. */
  readonly setName: string | null;
  /** That set's expression as configured; null with `setName`. */
  readonly dsl: string | null;
  /** The whole chosen combination, sorted (only the target is started). */
  readonly target: readonly string[];
  /** Running models that must stop, in the order they were given. */
  readonly evict: readonly string[];
  /** Sum of the evict costs of `evict`. */
  readonly cost: number;
}

/**
 * Reconstructs a chosen combination: a model, or the two halves of an
 * `all` product.
 */
type Witness = string | readonly [Witness, Witness];

/** A combination projected onto the models that matter for one query. */
interface Option {
  /** Bit i set: relevant model i is in the combination. */
  readonly mask: bigint;
  /** The first combination, in enumeration order, with this projection. */
  readonly witness: Witness;
}

/**
 * Picks the combination to run `target` in, given the models `running`.
 *
 * 1. `target` already runs: nothing stops; the set reported is the first
 *    one holding every running model, or null.
 * 2. Otherwise every combination holding `target` is a candidate, costing
 *    the evict costs of the running models it lacks; the cheapest wins,
 *    ties going to the earliest in set order, then combination order.
 * 3. No combination holds `target`: it runs alone, everything stops.
 *
 * Solved without listing combinations: each node yields the distinct ways
 * its combinations meet `target` and `running` (see `Projection`), so the
 * work depends on how many running models there are, not on how many
 * combinations the sets describe.
 */
export function solveMatrix(
  sets: readonly CompiledSet[],
  costOf: (model: string) => number,
  target: string,
  running: readonly string[],
): MatrixDecision {
  const others = [...new Set(running)];

  if (others.includes(target)) {
    const set = firstSetHolding(sets, others);
    return {
      setName: set?.name ?? null,
      dsl: set?.dsl ?? null,
      target: [...others].sort(),
      evict: [],
      cost: 0,
    };
  }

  const projection = new Projection([target, ...others]);
  const costs = others.map(costOf);
  const total = costs.reduce((sum, cost) => sum + cost, 0);
  let best: { set: CompiledSet; option: Option; cost: number } | null = null;

  for (const set of sets) {
    for (const option of projection.options(set.root)) {
      if ((option.mask & 1n) === 0n) continue;
      const cost = total - keptCost(option.mask, costs);
      if (best === null || cost < best.cost) best = { set, option, cost };
    }
    if (best?.cost === 0) break;
  }

  if (best === null) {
    return {
      setName: null,
      dsl: null,
      target: [target],
      evict: others,
      cost: total,
    };
  }
  const { set, option, cost } = best;
  return {
    setName: set.name,
    dsl: set.dsl,
    target: flatten(option.witness),
    evict: others.filter((_, i) => (option.mask & bitOf(i + 1)) === 0n),
    cost,
  };
}

/**
 * The first set with a combination holding every one of `models`, or null
 * when no set has one.
 */
export function firstSetHolding(
  sets: readonly CompiledSet[],
  models: readonly string[],
): CompiledSet | null {
  const unique = [...new Set(models)];
  const projection = new Projection(unique);
  const all = bitOf(unique.length) - 1n;

  for (const set of sets) {
    const options = projection.options(set.root);
    if (options.some((option) => option.mask === all)) return set;
  }
  return null;
}

/**
 * The combinations of each node, projected onto a few relevant models and
 * thinned to those that can still win.
 *
 * An option is dropped when an earlier option of the same node holds every
 * relevant model it holds: anything built from the dropped one has a
 * counterpart built from the earlier one that keeps at least as many
 * running models (so costs no more) and comes first in enumeration order
 * (so wins a tie). That keeps decisions identical to trying every
 * combination. A node therefore has at most 2^(relevant models) options,
 * usually far fewer; results are memoised per node because sets share
 * referenced subtrees.
 */
class Projection {
  readonly #bits = new Map<string, bigint>();
  readonly #memo = new Map<MatrixNode, readonly Option[]>();

  constructor(relevant: readonly string[]) {
    relevant.forEach((model, i) => this.#bits.set(model, bitOf(i)));
  }

  options(node: MatrixNode): readonly Option[] {
    let options = this.#memo.get(node);
    if (!options) {
      options = this.#evaluate(node);
      this.#memo.set(node, options);
    }
    return options;
  }

  #evaluate(node: MatrixNode): readonly Option[] {
    switch (node.kind) {
      case "model": {
        const mask = this.#bits.get(node.model) ?? 0n;
        return [{ mask, witness: node.model }];
      }
      case "any":
        return thin(node.of.flatMap((item) => this.options(item)));
      case "all": {
        let product = this.options(node.of[0]!);
        for (const item of node.of.slice(1)) {
          product = thin(combine(product, this.options(item)));
        }
        return product;
      }
    }
  }
}

/** Every left option joined with every right one, left varying slowest. */
function combine(left: readonly Option[], right: readonly Option[]): Option[] {
  const out: Option[] = [];
  for (const a of left) {
    for (const b of right) {
      out.push({ mask: a.mask | b.mask, witness: [a.witness, b.witness] });
    }
  }
  return out;
}

/** Drops each option whose relevant models an earlier option all holds. */
function thin(options: readonly Option[]): Option[] {
  const kept: Option[] = [];
  for (const option of options) {
    const covered = kept.some((k) => (k.mask & option.mask) === option.mask);
    if (!covered) kept.push(option);
  }
  return kept;
}

/** Cost of the running models (bits 1..n) that `mask` keeps. */
function keptCost(mask: bigint, costs: readonly number[]): number {
  let kept = 0;
  costs.forEach((cost, i) => {
    if ((mask & bitOf(i + 1)) !== 0n) kept += cost;
  });
  return kept;
}

/** The models of a witness, sorted and without duplicates. */
function flatten(witness: Witness): string[] {
  const models = new Set<string>();
  const stack: Witness[] = [witness];
  while (stack.length > 0) {
    const next = stack.pop()!;
    if (typeof next === "string") models.add(next);
    else stack.push(next[0], next[1]);
  }
  return [...models].sort();
}

function bitOf(index: number): bigint {
  return 1n << BigInt(index);
}
