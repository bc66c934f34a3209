import {
  compileMatrix,
  MatrixError,
  type MatrixProgram,
} from "../planners/mod.ts";
import type { MapFields } from "./fields.ts";
import { childPath } from "./paths.ts";
import type { MatrixConfig, MatrixSet } from "./types.ts";
import { readNumber, readString, reportType } from "./values.ts";
import type { YEntry, YNode } from "./yaml_tree.ts";

/** A matrix as configured and, when valid, compiled. */
export interface MatrixRead {
  readonly config: MatrixConfig;
  /** Null when the matrix has errors (already reported). */
  readonly program: MatrixProgram | null;
}

const COST_EXPECTED = "a whole number > 0";
const VAR_ERROR_REGEXP = /^matrix: var ("(?:[^"\\]|\\.)*")/;

/** A matrix block read for its types only, with the nodes checks need. */
export interface DecodedMatrix {
  readonly config: MatrixConfig;
  /** Each var's value node, by var name. */
  readonly varNodes: ReadonlyMap<string, YNode>;
  /** Each cost's value node, by name. */
  readonly costNodes: ReadonlyMap<string, YNode>;
  readonly setEntries: readonly YEntry[];
}

/**
 * Reads a matrix block (`vars`, `evict_costs`, ordered `sets`) for its
 * shape alone: mappings where mappings belong, strings for vars and sets,
 * whole numbers for costs, no unknown keys (a cost's sign is checked only
 * for the active matrix). Nothing is compared with the
 * models, so a matrix the router does not use is decoded this way too.
 */
export function decodeMatrix(fields: MapFields): DecodedMatrix {
  const issues = fields.issues;

  const vars: Record<string, string> = {};
  const varNodes = new Map<string, YNode>();
  for (const entry of fields.dictionary("vars")) {
    const path = childPath(fields.pathOf("vars"), entry.key);
    const model = readString(issues, entry.value, path, "a model ID");
    if (model === undefined) continue;
    vars[entry.key] = model;
    varNodes.set(entry.key, entry.value);
  }

  const evictCosts: Record<string, number> = {};
  const costNodes = new Map<string, YNode>();
  for (const entry of fields.dictionary("evict_costs")) {
    const path = childPath(fields.pathOf("evict_costs"), entry.key);
    const cost = readNumber(issues, entry.value, path, {
      expect: COST_EXPECTED,
    });
    if (cost === undefined) continue;
    evictCosts[entry.key] = cost;
    costNodes.set(entry.key, entry.value);
  }

  const setEntries = fields.dictionary("sets");
  const sets: MatrixSet[] = [];
  for (const entry of setEntries) {
    const path = childPath(fields.pathOf("sets"), entry.key);
    const dsl = readString(issues, entry.value, path, "a matrix expression");
    if (dsl !== undefined) sets.push({ name: entry.key, dsl });
  }
  fields.finish();

  const config = { vars, evictCosts, sets };
  return { config, varNodes, costNodes, setEntries };
}

/**
 * Reads the active matrix block (`decodeMatrix()`) and validates it with
 * the planners' compiler, turning its first complaint into an error at the
 * YAML node it concerns (inside a set's expression when it can). A var
 * naming an alias gets its own error asking for the model ID.
 */
export function readMatrix(
  fields: MapFields,
  modelIds: ReadonlySet<string>,
  aliases: ReadonlyMap<string, string>,
): MatrixRead {
  const issues = fields.issues;
  const before = issues.errorCount;

  const { config, varNodes, costNodes, setEntries } = decodeMatrix(fields);
  for (const [name, cost] of Object.entries(config.evictCosts)) {
    const node = costNodes.get(name);
    if (cost > 0 || node === undefined) continue;
    reportType(
      issues,
      node,
      childPath(fields.pathOf("evict_costs"), name),
      COST_EXPECTED,
    );
  }
  for (const [name, model] of Object.entries(config.vars)) {
    const alias = aliases.get(model);
    if (modelIds.has(model) || alias === undefined) continue;
    issues.error(
      varNodes.get(name)?.span.start ?? fields.at,
      childPath(fields.pathOf("vars"), name),
      `${JSON.stringify(model)} is an alias of model ${
        JSON.stringify(alias)
      }; use the model ID`,
    );
  }

  if (issues.errorCount > before) return { config, program: null };
  try {
    return { config, program: compileMatrix(config, modelIds) };
  } catch (error) {
    if (!(error instanceof MatrixError)) throw error;
    reportMatrixError(fields, error, setEntries);
    return { config, program: null };
  }
}

function reportMatrixError(
  fields: MapFields,
  error: MatrixError,
  setEntries: readonly YEntry[],
): void {
  const set = setEntries.find((entry) => entry.key === error.setName);
  if (set !== undefined) {
    const prefix = `matrix: set ${JSON.stringify(set.key)}: `;
    const message = error.message.startsWith(prefix)
      ? error.message.slice(prefix.length)
      : error.message.replace(/^matrix: /, "");
    const at = offsetInside(set.value, error.offset);
    fields.issues.error(at, childPath(fields.pathOf("sets"), set.key), message);
    return;
  }

  const message = error.message.replace(/^matrix: /, "");
  const varName = VAR_ERROR_REGEXP.exec(error.message)?.[1];
  const varEntry = varName === undefined
    ? undefined
    : fields.entry("vars")?.value.kind === "map"
    ? findEntry(fields.node("vars"), JSON.parse(varName) as string)
    : undefined;
  if (varEntry !== undefined) {
    fields.issues.error(
      varEntry.keySpan.start,
      childPath(fields.pathOf("vars"), varEntry.key),
      message,
    );
    return;
  }
  const key = message.startsWith("evict_costs") ? "evict_costs" : "sets";
  const node = fields.entry(key);
  fields.issues.error(
    node?.keySpan.start ?? fields.at,
    node ? fields.pathOf(key) : fields.path,
    message,
  );
}

function findEntry(node: YNode | undefined, key: string): YEntry | undefined {
  return node?.kind === "map"
    ? node.entries.find((entry) => entry.key === key)
    : undefined;
}

/** The text offset of character `offset` of a set's expression. */
function offsetInside(node: YNode, offset: number | undefined): number {
  if (
    offset !== undefined && node.kind === "scalar" &&
    node.verbatimAt !== undefined
  ) {
    return node.verbatimAt + offset;
  }
  return node.span.start;
}
