import type { Issues } from "./issues.ts";
import { childPath } from "./paths.ts";
import { isNull, type YMap, type YNode, type YScalar } from "./yaml_tree.ts";

/** One parsed config file, its offsets already placed by a `SourceLocator`. */
export interface ParsedSource {
  /** The file name errors name. */
  readonly file: string;
  readonly root: YMap;
}

/**
 * Mappings whose children are things with IDs: two files may add
 * different children, never the same one (so a matrix lives in one file).
 */
const ENTITY_MAPS: ReadonlySet<string> = new Set([
  "models",
  "groups",
  "profiles",
  "selectors",
  "peers",
  "matrix",
  "routing.router.settings.groups",
  "routing.router.settings.matrix",
]);

/** yaml.v3's numbers for node kinds, which llama-swap's message shows. */
const KIND_NUMBERS = { seq: 2, map: 4, scalar: 8 } as const;

const EMPTY: YMap = { kind: "map", entries: [], span: { start: 0, end: 0 } };

/**
 * Merges config files into one document, file by file in order, with
 * llama-swap's `-config-dir` rules and error texts:
 *
 * 1. the children of the entity maps (`models`, `groups`, `profiles`,
 *    `selectors`, `peers`, `matrix` and the two under
 *    `routing.router.settings`) are added; the same child in a second file
 *    is a duplicate;
 * 2. other mappings merge key by key, recursively;
 * 3. lists are concatenated;
 * 4. scalars must be equal (same type and text) unless one is null, which
 *    gives way to the other;
 * 5. a mapping, list and scalar at the same place conflict.
 *
 * Errors go to `issues` at the later file's node; the earlier value is
 * kept, so every conflict is reported in one pass. No sources give an
 * empty mapping.
 */
export function mergeSources(
  sources: readonly ParsedSource[],
  issues: Issues,
): YMap {
  const [first, ...rest] = sources;
  let merged = first?.root ?? EMPTY;
  for (const source of rest) {
    merged = mergeMaps(merged, source.root, [], {
      issues,
      file: source.file,
    });
  }
  return merged;
}

interface MergeContext {
  readonly issues: Issues;
  /** The file being merged in. */
  readonly file: string;
}

function mergeMaps(
  into: YMap,
  from: YMap,
  keys: readonly string[],
  context: MergeContext,
): YMap {
  const name = keys.join(".");
  const entity = ENTITY_MAPS.has(name);
  const entries = [...into.entries];
  const positions = new Map(entries.map((entry, index) => [entry.key, index]));

  for (const entry of from.entries) {
    const index = positions.get(entry.key);
    if (index === undefined) {
      positions.set(entry.key, entries.length);
      entries.push(entry);
      continue;
    }
    if (entity) {
      context.issues.error(
        entry.keySpan.start,
        pathOf([...keys, entry.key]),
        `duplicate ${name} ${
          JSON.stringify(entry.key)
        } found in ${context.file} (already defined in another config source)`,
      );
      continue;
    }
    const earlier = entries[index]!;
    entries[index] = {
      ...earlier,
      value: mergeNodes(
        earlier.value,
        entry.value,
        [...keys, entry.key],
        context,
      ),
      definesAnchor: earlier.definesAnchor || entry.definesAnchor,
    };
  }
  return { ...into, entries };
}

function mergeNodes(
  into: YNode,
  from: YNode,
  keys: readonly string[],
  context: MergeContext,
): YNode {
  if (isNull(into)) return from;
  if (isNull(from)) return into;

  const where = `conflict at ${JSON.stringify(keys.join("."))}`;
  if (into.kind !== from.kind) {
    const kinds = `kind ${KIND_NUMBERS[into.kind]} vs ${
      KIND_NUMBERS[from.kind]
    }`;
    context.issues.error(
      from.span.start,
      pathOf(keys),
      `${where}: incompatible YAML node kinds (${kinds}) introduced by ${context.file}`,
    );
    return into;
  }
  if (into.kind === "map" && from.kind === "map") {
    return mergeMaps(into, from, keys, context);
  }
  if (into.kind === "seq" && from.kind === "seq") {
    return { ...into, items: [...into.items, ...from.items] };
  }
  if (!sameScalar(into as YScalar, from as YScalar)) {
    context.issues.error(
      from.span.start,
      pathOf(keys),
      `${where}: ${context.file} sets a different value than a previous source`,
    );
  }
  return into;
}

/** Same type and same text, as yaml.v3 compares a node's tag and value. */
function sameScalar(a: YScalar, b: YScalar): boolean {
  return typeof a.value === typeof b.value && a.float === b.float &&
    a.text === b.text;
}

function pathOf(keys: readonly string[]): string {
  return keys.reduce(childPath, "");
}
