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
 * Picks the combination to run `target` in, given the models `running`.
 *
 * 1. `target` already runs: nothing stops; the set reported is the first
 *    one holding every running model, or null.
 * 2. Otherwise every combination holding `target` is a candidate, costing
 *    the evict costs of the running models it lacks. Find the best cost and
 *    the projections (see `Projection`) that reach it, without listing
 *    combinations.
 * 3. The winner is the earliest candidate, in set order then combination
 *    order, with one of those projections.
 * 4. No combination holds `target`: it runs alone, everything stops.
 */
export function solveMatrix(
  sets: readonly CompiledSet[],
  costOf: (model: string) => number,
  target: string,
  running: readonly string[],
): MatrixDecision {
  const others = [...new Set(running)];

  if (others.includes(target)) { // 1.
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

  // 2. The cheapest projections holding the target, over every set.
  let best = Infinity;
  let winners: bigint[] = [];
  for (const set of sets) {
    for (const mask of projection.maximal(set.root)) {
      if ((mask & 1n) === 0n) continue;
      const cost = total - keptCost(mask, costs);
      if (cost < best) [best, winners] = [cost, []];
      if (cost === best && !winners.includes(mask)) winners.push(mask);
    }
  }

  // 3. The earliest combination with one of them.
  for (const set of sets) {
    if (!projection.reaches(set.root, winners)) continue;
    const { mask, models } = projection.first(set.root, winners);
    return {
      setName: set.name,
      dsl: set.dsl,
      target: [...new Set(models)].sort(),
      evict: others.filter((_, i) => (mask & bitOf(i + 1)) === 0n),
      cost: best,
    };
  }

  // 4. No set holds the target.
  return {
    setName: null,
    dsl: null,
    target: [target],
    evict: others,
    cost: total,
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
  return sets.find((set) => projection.reaches(set.root, [all])) ?? null;
}

/** A combination found by `Projection.first()`. */
interface Found {
  readonly mask: bigint;
  readonly models: readonly string[];
}

/**
 * Combinations seen only through a few relevant models: bit i of a mask is
 * set when relevant model i is in the combination.
 *
 * `maximal()` gives, per node, the masks no other mask of the node
 * contains. A larger mask keeps more running models, and every cost is
 * positive, so the best cost is always among them. The work therefore
 * depends on how many running models there are, not on how many
 * combinations the sets describe; results are memoised per node because
 * sets share referenced subtrees.
 */
class Projection {
  readonly #bits = new Map<string, bigint>();
  readonly #maximal = new Map<MatrixNode, readonly bigint[]>();
  readonly #suffixes = new Map<MatrixNode, readonly (readonly bigint[])[]>();

  constructor(relevant: readonly string[]) {
    relevant.forEach((model, i) => this.#bits.set(model, bitOf(i)));
  }

  /** The maximal masks of the node's combinations. */
  maximal(node: MatrixNode): readonly bigint[] {
    let masks = this.#maximal.get(node);
    if (!masks) {
      masks = this.#evaluate(node);
      this.#maximal.set(node, masks);
    }
    return masks;
  }

  /** True when some combination of `node` covers one of `needs`. */
  reaches(node: MatrixNode, needs: readonly bigint[]): boolean {
    return this.maximal(node).some((mask) => covers(mask, needs));
  }

  /**
   * The first combination of `node`, in enumeration order, that covers one
   * of `needs`. The caller has checked `reaches()`.
   *
   * For `all` that is the earliest tuple of parts: each part in turn takes
   * its earliest combination after which the later parts can still cover a
   * need, which `#suffix()` tells without trying them.
   */
  first(node: MatrixNode, needs: readonly bigint[]): Found {
    switch (node.kind) {
      case "model":
        return { mask: this.#bitOf(node.model), models: [node.model] };
      case "any": {
        const item = node.of.find((item) => this.reaches(item, needs))!;
        return this.first(item, needs);
      }
      case "all": {
        const suffixes = this.#suffix(node);
        let left = needs;
        let mask = 0n;
        const models: string[] = [];
        node.of.forEach((item, i) => {
          const later = suffixes[i + 1] ?? [0n];
          const found = this.first(item, minimal(subtractEach(left, later)));
          mask |= found.mask;
          models.push(...found.models);
          left = minimal(left.map((need) => need & ~found.mask));
        });
        return { mask, models };
      }
    }
  }

  #evaluate(node: MatrixNode): readonly bigint[] {
    switch (node.kind) {
      case "model":
        return [this.#bitOf(node.model)];
      case "any":
        return maximal(node.of.flatMap((item) => this.maximal(item)));
      case "all":
        return this.#suffix(node)[0]!;
    }
  }

  /** For each part i of an `all`, the maximal masks of parts i..end. */
  #suffix(node: MatrixNode & { kind: "all" }): readonly (readonly bigint[])[] {
    let suffixes = this.#suffixes.get(node);
    if (!suffixes) {
      const out: (readonly bigint[])[] = [];
      let acc: readonly bigint[] = [0n];
      for (let i = node.of.length - 1; i >= 0; i--) {
        acc = maximal(unionEach(this.maximal(node.of[i]!), acc));
        out[i] = acc;
      }
      suffixes = out;
      this.#suffixes.set(node, suffixes);
    }
    return suffixes;
  }

  #bitOf(model: string): bigint {
    return this.#bits.get(model) ?? 0n;
  }
}

/** True when `mask` holds every bit of at least one need. */
function covers(mask: bigint, needs: readonly bigint[]): boolean {
  return needs.some((need) => (mask & need) === need);
}

function unionEach(a: readonly bigint[], b: readonly bigint[]): bigint[] {
  return a.flatMap((x) => b.map((y) => x | y));
}

/** Each need with the bits some later mask could supply removed. */
function subtractEach(
  needs: readonly bigint[],
  later: readonly bigint[],
): bigint[] {
  return needs.flatMap((need) => later.map((mask) => need & ~mask));
}

/** The masks not contained in another one, without duplicates. */
function maximal(masks: readonly bigint[]): bigint[] {
  const unique = [...new Set(masks)];
  return unique.filter((mask) =>
    !unique.some((other) => other !== mask && (other & mask) === mask)
  );
}

/**
 * The needs not containing another one, without duplicates: covering a
 * smaller need is enough.
 */
function minimal(needs: readonly bigint[]): bigint[] {
  const unique = [...new Set(needs)];
  return unique.filter((need) =>
    !unique.some((other) => other !== need && (other & need) === other)
  );
}

/** Cost of the running models (bits 1..n) that `mask` keeps. */
function keptCost(mask: bigint, costs: readonly number[]): number {
  let kept = 0;
  costs.forEach((cost, i) => {
    if ((mask & bitOf(i + 1)) !== 0n) kept += cost;
  });
  return kept;
}

function bitOf(index: number): bigint {
  return 1n << BigInt(index);
}
