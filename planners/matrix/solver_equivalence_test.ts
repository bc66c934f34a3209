import assert from "node:assert/strict";
import type { MatrixConfig } from "../../config/types.ts";
import { compileMatrix } from "./compile.ts";
import type { MatrixProgram } from "./program.ts";
import type { MatrixDecision } from "./solver.ts";

/** A small seeded generator (mulberry32), so a failure can be replayed. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const MODELS = ["m0", "m1", "m2", "m3", "m4", "m5", "m6"];

interface Generator {
  random: () => number;
  pick<T>(items: readonly T[]): T;
}

function generator(seed: number): Generator {
  const random = seededRandom(seed);
  return {
    random,
    pick: (items) => items[Math.floor(random() * items.length)]!,
  };
}

/** An expression over m0..m5 that may reference the sets in `refs`. */
function expression(
  gen: Generator,
  refs: readonly string[],
  depth: number,
): string {
  const roll = gen.random();
  if (depth === 0 || roll < 0.35) {
    if (refs.length > 0 && gen.random() < 0.25) return `+${gen.pick(refs)}`;
    return gen.pick(MODELS.slice(0, 6));
  }
  const count = 2 + Math.floor(gen.random() * 2);
  const items = Array.from(
    { length: count },
    () => expression(gen, refs, depth - 1),
  );
  return `(${items.join(roll < 0.65 ? " | " : " & ")})`;
}

/** A random matrix whose sets only reference sets of lower rank. */
function randomMatrix(gen: Generator): MatrixConfig {
  const count = 1 + Math.floor(gen.random() * 4);
  const names = Array.from({ length: count }, (_, i) => `s${i}`);
  const ranks = names.map(() => gen.random());
  const sets = names.map((name, i) => {
    const lower = names.filter((_, j) => ranks[j]! < ranks[i]!);
    return { name, dsl: expression(gen, lower, 3) };
  });

  const evictCosts: Record<string, number> = {};
  for (const model of MODELS) {
    if (gen.random() < 0.5) {
      evictCosts[model] = 1 + Math.floor(gen.random() * 3);
    }
  }
  return { vars: {}, evictCosts, sets };
}

/** The rules of router reference 4.4, applied to every combination. */
function bruteForce(
  program: MatrixProgram,
  target: string,
  running: readonly string[],
): MatrixDecision {
  const listed = program.sets.flatMap((set) =>
    program.combinations(set.name).map((combination) => ({ set, combination }))
  );

  if (running.includes(target)) {
    const holder = listed.find((c) =>
      running.every((m) => c.combination.includes(m))
    );
    return {
      setName: holder?.set.name ?? null,
      dsl: holder?.set.dsl ?? null,
      target: [...running].sort(),
      evict: [],
      cost: 0,
    };
  }

  let best: MatrixDecision | null = null;
  for (const { set, combination } of listed) {
    if (!combination.includes(target)) continue;
    const evict = running.filter((m) => !combination.includes(m));
    const cost = evict.reduce((sum, m) => sum + program.evictCost(m), 0);
    if (best === null || cost < best.cost) {
      best = {
        setName: set.name,
        dsl: set.dsl,
        target: combination,
        evict,
        cost,
      };
    }
  }
  return best ?? {
    setName: null,
    dsl: null,
    target: [target],
    evict: [...running],
    cost: running.reduce((sum, m) => sum + program.evictCost(m), 0),
  };
}

/** False when some set has too many combinations to compare quickly. */
function listable(program: MatrixProgram): boolean {
  try {
    for (const set of program.sets) program.combinations(set.name, 500);
    return true;
  } catch (error) {
    if (error instanceof RangeError) return false;
    throw error;
  }
}

Deno.test("MatrixProgram.explain() decides exactly like trying every combination", () => {
  const gen = generator(20260727);
  let compared = 0;

  for (let round = 0; compared < 3600; round++) {
    const config = randomMatrix(gen);
    const program = compileMatrix(config, new Set(MODELS));
    if (!listable(program)) continue;

    for (let query = 0; query < 12; query++) {
      const running = MODELS.filter(() => gen.random() < 0.35);
      const target = gen.pick(MODELS);

      const expected = bruteForce(program, target, running);
      const actual = program.explain(target, running);

      assert.deepEqual(
        actual,
        expected,
        `round ${round}: ${
          JSON.stringify(config.sets)
        } target=${target} running=${running}`,
      );
      compared++;
    }
  }

  assert.equal(compared, 3600);
});
