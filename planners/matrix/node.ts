/**
 * A compiled swap matrix expression: names resolved to model IDs and
 * `+set` references replaced by the referenced set's own root node, so sets
 * share subtrees and the whole matrix is a DAG.
 *
 * `any` lists alternatives, `all` lists parts that run together; the order
 * of items is the order combinations are enumerated in.
 */
export type MatrixNode =
  | { readonly kind: "model"; readonly model: string }
  | { readonly kind: "any"; readonly of: readonly MatrixNode[] }
  | { readonly kind: "all"; readonly of: readonly MatrixNode[] };

/** One set after compilation. */
export interface CompiledSet {
  readonly name: string;
  /** The expression exactly as configured. */
  readonly dsl: string;
  readonly root: MatrixNode;
}

/**
 * Every combination `node` stands for, in enumeration order: alternatives
 * one after another, parts of an `all` as a product whose first part varies
 * slowest. Each combination is sorted and holds no duplicates; a repeated
 * combination is listed once, where it first appears.
 *
 * This materialises the whole product, so it is for display and tests; the
 * solver never calls it.
 *
 * @throws {RangeError} when more than `limit` combinations would be listed.
 */
export function expandNode(node: MatrixNode, limit: number): string[][] {
  const unique = new Map<string, string[]>();
  for (const combination of expand(node, limit)) {
    const sorted = [...combination].sort();
    const key = JSON.stringify(sorted);
    if (!unique.has(key)) unique.set(key, sorted);
  }
  return [...unique.values()];
}

function expand(node: MatrixNode, limit: number): Set<string>[] {
  switch (node.kind) {
    case "model":
      return [new Set([node.model])];
    case "any": {
      const out = node.of.flatMap((item) => expand(item, limit));
      return checkLimit(out, limit);
    }
    case "all": {
      let out: Set<string>[] = [new Set()];
      for (const item of node.of) {
        const parts = expand(item, limit);
        const next: Set<string>[] = [];
        for (const left of out) {
          for (const right of parts) next.push(new Set([...left, ...right]));
          checkLimit(next, limit);
        }
        out = next;
      }
      return out;
    }
  }
}

function checkLimit(list: Set<string>[], limit: number): Set<string>[] {
  if (list.length > limit) {
    throw new RangeError(
      `Cannot list matrix combinations: more than ${limit}`,
    );
  }
  return list;
}
