import type { EnvLookup } from "./env_macros.ts";
import type { Issues } from "./issues.ts";
import { childPath, indexPath } from "./paths.ts";
import { MACRO_REFERENCE_REGEXP } from "./macro_substitution.ts";
import type { YNode } from "./yaml_tree.ts";

/** Where a value sits, which decides the placeholders allowed to remain. */
export interface LeftoverContext {
  /** Inside a model (`${PORT}` and `${MODEL_ID}` exist) or not. */
  readonly scope: "model" | "global";
  /** Names of macros declared with a bad value, already reported. */
  readonly broken: ReadonlySet<string>;
  /** `${PID}` stays for run time (only in `cmdStop`). */
  readonly allowPid?: boolean;
  /** The string is a mapping key (`setParamsByID`). */
  readonly inKey?: boolean;
  /** Tells a leftover `${env.NAME}` of a set variable from an unset one. */
  readonly env: EnvLookup;
}

const ENV_REFERENCE_REGEXP = /\$\{env\.([A-Za-z_][A-Za-z0-9_]*)\}/;

/**
 * Reports every string under `node` that still holds a `${name}` after
 * expansion: an unknown macro, a runtime name used where it has no value,
 * or an `${env.NAME}` that was never substituted. One error per string.
 */
export function reportLeftovers(
  issues: Issues,
  node: YNode,
  path: string,
  context: LeftoverContext,
): void {
  if (node.kind === "seq") {
    node.items.forEach((item, index) =>
      reportLeftovers(issues, item, indexPath(path, index), context)
    );
    return;
  }
  if (node.kind === "map") {
    for (const entry of node.entries) {
      reportLeftovers(issues, entry.value, childPath(path, entry.key), context);
    }
    return;
  }
  if (typeof node.value !== "string" || !node.value.includes("${")) return;

  const problem = leftoverProblem(node.value, context);
  if (problem !== null) {
    const where = context.inKey ? ` in key ${JSON.stringify(node.value)}` : "";
    issues.error(node.span.start, path, `${problem}${where}`);
  }
}

function leftoverProblem(
  text: string,
  context: LeftoverContext,
): string | null {
  const env = ENV_REFERENCE_REGEXP.exec(text);
  if (env !== null) return envLeftoverProblem(env[0], env[1] ?? "", context);
  for (const match of text.matchAll(MACRO_REFERENCE_REGEXP)) {
    const name = match[1] ?? "";
    const reference = JSON.stringify(match[0]);
    if (context.broken.has(name)) continue;
    if (name === "PID") {
      if (context.allowPid) continue;
      return `${reference} is only available in cmdStop`;
    }
    if (name === "PORT" && context.scope === "model") {
      return `${reference} is only available when cmd uses "\${PORT}"`;
    }
    if (
      (name === "PORT" || name === "MODEL_ID") && context.scope === "global"
    ) {
      return `${reference} is only available inside a model`;
    }
    return `unknown macro ${reference}`;
  }
  return null;
}

/**
 * Why a `${env.NAME}` survived both env passes: the variable is unset, or
 * the reference appeared only later (three levels of variables, a macro
 * value or a YAML escape), which env substitution never sees.
 */
function envLeftoverProblem(
  reference: string,
  name: string,
  context: LeftoverContext,
): string {
  if (context.env(name) === undefined) {
    return `environment variable ${JSON.stringify(name)} is not set`;
  }
  return `${
    JSON.stringify(reference)
  } was not substituted: environment variables are replaced in the file and once more in the values they insert, not in what macros or YAML escapes produce`;
}
