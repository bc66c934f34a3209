import type { MatrixConfig } from "../../config/types.ts";
import { MatrixError, MatrixSyntaxError } from "./errors.ts";
import type { CompiledSet, MatrixNode } from "./node.ts";
import { type MatrixExpr, parseMatrixExpression } from "./parser.ts";
import { MatrixProgram } from "./program.ts";

const VAR_KEY_REGEXP = /^[a-zA-Z0-9.-]{1,32}$/;

/** A parsed set before its references are linked. */
interface ParsedSet {
  readonly name: string;
  readonly dsl: string;
  readonly tree: MatrixExpr;
  /** `+set` references in the order they are written. */
  readonly refs: readonly { readonly set: string; readonly offset: number }[];
}

/**
 * Validates a swap matrix and compiles it into a program the solver runs.
 *
 * Called once per config load (the config loader uses it to validate) and
 * once when the planner is built. Checks, in this order: at least one set;
 * each var key is 1 to 32 of `a-z A-Z 0-9 - .` and names a model in
 * `modelIds`; each `evictCosts` key is a var or model and its cost a
 * positive integer; each set parses, each name in it is a var (which wins)
 * or a model ID, each `+set` names a defined set; no set refers to itself,
 * directly or through others.
 *
 * The program's set order, which breaks ties between equal costs, is
 * definition order with every set moved after the sets it references.
 *
 * @throws {MatrixError} for the first problem found; `setName` and `offset`
 * locate problems inside a set's expression.
 */
export function compileMatrix(
  matrix: MatrixConfig,
  modelIds: ReadonlySet<string>,
): MatrixProgram {
  if (matrix.sets.length === 0) {
    throw new MatrixError("matrix: at least one set is required");
  }
  const vars = checkVars(matrix.vars, modelIds);
  const resolve = (name: string): string | undefined =>
    vars.get(name) ?? (modelIds.has(name) ? name : undefined);
  const costs = checkCosts(matrix.evictCosts, resolve);

  const parsed = new Map<string, ParsedSet>();
  for (const set of matrix.sets) {
    if (parsed.has(set.name)) {
      throw new MatrixError(
        `matrix: set ${JSON.stringify(set.name)} is defined more than once`,
        { setName: set.name },
      );
    }
    parsed.set(set.name, parseSet(set.name, set.dsl, resolve));
  }
  for (const set of parsed.values()) checkRefs(set, parsed);

  const order = dependencyOrder(parsed);
  const roots = new Map<string, MatrixNode>();
  const compiled: CompiledSet[] = order.map((set) => {
    const root = link(set.tree, resolve, roots);
    roots.set(set.name, root);
    return { name: set.name, dsl: set.dsl, root };
  });
  return new MatrixProgram(compiled, costs);
}

function checkVars(
  vars: Readonly<Record<string, string>>,
  modelIds: ReadonlySet<string>,
): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, model] of Object.entries(vars)) {
    const quoted = JSON.stringify(key);
    if (!VAR_KEY_REGEXP.test(key)) {
      throw new MatrixError(
        `matrix: var ${quoted}: name must be 1 to 32 letters, digits, "-" or "."`,
      );
    }
    if (!modelIds.has(model)) {
      throw new MatrixError(
        `matrix: var ${quoted}: unknown model ${JSON.stringify(model)}`,
      );
    }
    out.set(key, model);
  }
  return out;
}

/** Evict costs keyed by real model ID. */
function checkCosts(
  evictCosts: Readonly<Record<string, number>>,
  resolve: (name: string) => string | undefined,
): Map<string, number> {
  const out = new Map<string, number>();
  const keyOf = new Map<string, string>();

  for (const [key, cost] of Object.entries(evictCosts)) {
    const quoted = JSON.stringify(key);
    const model = resolve(key);
    if (model === undefined) {
      throw new MatrixError(
        `matrix: evict_costs: unknown var or model ${quoted}`,
      );
    }
    if (!Number.isSafeInteger(cost) || cost <= 0) {
      throw new MatrixError(
        `matrix: evict_costs: cost of ${quoted} must be a positive integer, got ${cost}`,
      );
    }
    const earlier = out.get(model);
    if (earlier !== undefined && earlier !== cost) {
      throw new MatrixError(
        `matrix: evict_costs: ${
          JSON.stringify(keyOf.get(model))
        } and ${quoted} give model ${JSON.stringify(model)} different costs`,
      );
    }
    out.set(model, cost);
    keyOf.set(model, key);
  }
  return out;
}

/** Parses one set and checks that every name in it resolves. */
function parseSet(
  name: string,
  dsl: string,
  resolve: (name: string) => string | undefined,
): ParsedSet {
  const prefix = `matrix: set ${JSON.stringify(name)}: `;
  let tree: MatrixExpr;
  try {
    tree = parseMatrixExpression(dsl);
  } catch (error) {
    if (!(error instanceof MatrixSyntaxError)) throw error;
    throw new MatrixError(prefix + lowerFirst(error.message), {
      setName: name,
      offset: error.offset,
      cause: error,
    });
  }

  const refs: { set: string; offset: number }[] = [];
  visit(tree, (leaf) => {
    if (leaf.kind === "ref") {
      refs.push({ set: leaf.set, offset: leaf.offset });
    } else if (resolve(leaf.name) === undefined) {
      throw new MatrixError(
        `${prefix}unknown var or model ${
          JSON.stringify(leaf.name)
        } at ${leaf.offset}`,
        { setName: name, offset: leaf.offset },
      );
    }
  });
  return { name, dsl, tree, refs };
}

function checkRefs(set: ParsedSet, parsed: ReadonlyMap<string, ParsedSet>) {
  for (const ref of set.refs) {
    if (!parsed.has(ref.set)) {
      throw new MatrixError(
        `matrix: set ${JSON.stringify(set.name)}: ${
          JSON.stringify(`+${ref.set}`)
        } at ${ref.offset} refers to an undefined set`,
        { setName: set.name, offset: ref.offset },
      );
    }
  }
}

/**
 * Sets in definition order, each moved after the sets it references (depth
 * first, references in written order).
 *
 * @throws {MatrixError} naming the first set found on a reference cycle.
 */
function dependencyOrder(
  parsed: ReadonlyMap<string, ParsedSet>,
): ParsedSet[] {
  const order: ParsedSet[] = [];
  const done = new Set<string>();
  const path: ParsedSet[] = [];

  const walk = (set: ParsedSet): void => {
    if (done.has(set.name)) return;
    const start = path.indexOf(set);
    if (start >= 0) throw cycleError(path.slice(start));

    path.push(set);
    for (const ref of set.refs) walk(parsed.get(ref.set)!);
    path.pop();

    done.add(set.name);
    order.push(set);
  };

  for (const set of parsed.values()) walk(set);
  return order;
}

function cycleError(cycle: readonly ParsedSet[]): MatrixError {
  const first = cycle[0]!;
  const next = cycle[1] ?? first;
  const names = [...cycle, first].map((set) => JSON.stringify(set.name));
  const ref = first.refs.find((r) => r.set === next.name)!;
  return new MatrixError(
    `matrix: set ${JSON.stringify(first.name)}: circular reference ${
      names.join(" -> ")
    }`,
    { setName: first.name, offset: ref.offset },
  );
}

/** Turns a checked tree into nodes; `roots` holds every referenced set. */
function link(
  tree: MatrixExpr,
  resolve: (name: string) => string | undefined,
  roots: ReadonlyMap<string, MatrixNode>,
): MatrixNode {
  switch (tree.kind) {
    case "name":
      return { kind: "model", model: resolve(tree.name)! };
    case "ref":
      return roots.get(tree.set)!;
    case "any":
    case "all":
      return {
        kind: tree.kind,
        of: tree.of.map((item) => link(item, resolve, roots)),
      };
  }
}

/** Calls `onLeaf` for every name and reference, left to right. */
function visit(
  tree: MatrixExpr,
  onLeaf: (leaf: Extract<MatrixExpr, { offset: number }>) => void,
): void {
  if (tree.kind === "any" || tree.kind === "all") {
    for (const item of tree.of) visit(item, onLeaf);
  } else {
    onLeaf(tree);
  }
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}
