import type { MatrixProgram } from "../planners/mod.ts";
import { MapFields } from "./fields.ts";
import { type NameIndex, unresolvedMessage } from "./names.ts";
import { childPath } from "./paths.ts";
import type { ListItem } from "./fields.ts";
import type {
  RouterConfig,
  SelectorConfig,
  SelectorStrategy,
} from "./types.ts";

const STRATEGIES: readonly SelectorStrategy[] = ["warm", "pin", "spillover"];

/** What selector validation needs to know about routing. */
export interface SelectorRouting {
  readonly router: RouterConfig;
  /** The compiled matrix, or null (group routing or an invalid matrix). */
  readonly program: MatrixProgram | null;
}

/**
 * Reads `selectors`: virtual model IDs that pick one of their `targets` per
 * request. Targets are kept as written (an alias keeps its own
 * `setParamsByID` entry) after checking that each resolves; `warm` needs
 * local models; `spillover` needs distinct targets, and its local targets
 * must be able to run at the same time under the configured router.
 */
export function readSelectors(
  root: MapFields,
  names: NameIndex,
  routing: SelectorRouting,
): Record<string, SelectorConfig> {
  const entries = root.dictionary("selectors");
  const selectorIds = new Set(entries.map((entry) => entry.key));
  const selectors: Record<string, SelectorConfig> = {};

  for (const entry of entries) {
    const id = entry.key;
    const path = childPath("selectors", id);
    const fields = new MapFields(
      root.issues,
      entry.value,
      path,
      entry.keySpan.start,
    );
    const idProblem = checkSelectorId(id, names);
    if (idProblem !== null) {
      root.issues.error(entry.keySpan.start, path, idProblem);
    }

    const strategy = readStrategy(fields);
    const targets = fields.stringList("targets") ?? [];
    if (targets.length === 0) {
      root.issues.error(
        fields.node("targets")?.span.start ?? fields.at,
        fields.pathOf("targets"),
        "must list at least one target",
      );
    }
    const settings = fields.child("settings");
    const spillover = settings.number("spillover", 1, {
      expect: "a whole number >= 1",
    });
    if (strategy === "spillover" && spillover < 1) {
      root.issues.error(
        settings.node("spillover")?.span.start ?? settings.at,
        settings.pathOf("spillover"),
        `must be a whole number >= 1, got ${spillover}`,
      );
    }
    settings.finish();

    const resolved = checkTargets(
      fields,
      targets,
      strategy,
      names,
      selectorIds,
    );
    if (strategy === "spillover" && resolved !== null) {
      checkCoResidence(fields, resolved, routing);
    }
    selectors[id] = {
      id,
      strategy: strategy ?? "pin",
      targets: targets.map((item) => item.value),
      spillover,
      name: fields.string("name", ""),
      description: fields.string("description", ""),
      unlisted: fields.bool("unlisted", false),
      metadata: fields.plainMapping("metadata"),
    };
    fields.finish();
  }
  return selectors;
}

function checkSelectorId(id: string, names: NameIndex): string | null {
  const quoted = JSON.stringify(id);
  if (id.trim() === "") return "a selector name cannot be empty";
  if (names.modelIds.has(id)) {
    return `selector name ${quoted} is already a model ID`;
  }
  if (names.aliases.has(id)) {
    return `selector name ${quoted} is already a model alias`;
  }
  if (names.fqns.has(id)) {
    return `selector name ${quoted} is the full name of a peer model`;
  }
  return null;
}

function readStrategy(fields: MapFields): SelectorStrategy | undefined {
  const text = fields.optionalString("strategy");
  const at = fields.node("strategy")?.span.start ?? fields.at;
  if (text === undefined) {
    fields.issues.error(
      at,
      fields.pathOf("strategy"),
      'is required: "warm", "pin" or "spillover"',
    );
    return undefined;
  }
  const strategy = STRATEGIES.find((s) => s === text);
  if (strategy === undefined) {
    fields.issues.error(
      at,
      fields.pathOf("strategy"),
      `must be "warm", "pin" or "spillover", got ${JSON.stringify(text)}`,
    );
  }
  return strategy;
}

/** A target resolved to what it reaches. */
interface ResolvedTarget {
  readonly item: ListItem<string>;
  readonly canonical: string;
  readonly local: boolean;
}

/** Checks every target; null when one failed (skips the later checks). */
function checkTargets(
  fields: MapFields,
  targets: readonly ListItem<string>[],
  strategy: SelectorStrategy | undefined,
  names: NameIndex,
  selectorIds: ReadonlySet<string>,
): ResolvedTarget[] | null {
  const resolved: ResolvedTarget[] = [];
  let failed = false;
  for (const item of targets) {
    const problem = (message: string) => {
      fields.issues.error(item.node.span.start, item.path, message);
      failed = true;
    };
    if (selectorIds.has(item.value)) {
      problem(
        `${
          JSON.stringify(item.value)
        } is a selector; selectors cannot target selectors`,
      );
      continue;
    }
    const resolution = names.resolve(item.value);
    if (resolution.kind === "model" || resolution.kind === "peer") {
      const local = resolution.kind === "model";
      if (strategy === "warm" && !local) {
        problem(
          `${
            JSON.stringify(item.value)
          } is a peer model; strategy "warm" needs local models`,
        );
        continue;
      }
      const canonical = local ? resolution.id : resolution.fqn;
      resolved.push({ item, canonical, local });
    } else {
      problem(unresolvedMessage(names, item.value));
    }
  }
  return failed ? null : resolved;
}

function checkCoResidence(
  fields: MapFields,
  targets: readonly ResolvedTarget[],
  routing: SelectorRouting,
): void {
  const seen = new Set<string>();
  for (const target of targets) {
    if (seen.has(target.canonical)) {
      fields.issues.error(
        target.item.node.span.start,
        target.item.path,
        `${JSON.stringify(target.item.value)} reaches ${
          JSON.stringify(target.canonical)
        }, which an earlier target already reaches`,
      );
      return;
    }
    seen.add(target.canonical);
  }

  const locals = targets.filter((t) => t.local).map((t) => t.canonical);
  if (locals.length < 2) return;
  const at = fields.node("targets")?.span.start ?? fields.at;
  const path = fields.pathOf("targets");
  const router = routing.router;
  if (router.use === "matrix") {
    if (
      routing.program !== null && routing.program.setContaining(locals) === null
    ) {
      fields.issues.error(
        at,
        path,
        "the local spillover targets must all appear together in one combination of a matrix set",
      );
    }
    return;
  }

  const groupOf = (model: string) =>
    Object.entries(router.groups).find(([, group]) =>
      group.members.includes(model)
    );
  const groups = locals.map(groupOf);
  const missing = locals.find((_, i) => groups[i] === undefined);
  if (missing !== undefined) {
    fields.issues.error(
      at,
      path,
      `target ${JSON.stringify(missing)} is in no routing group`,
    );
    return;
  }
  const groupNames = new Set(groups.map((group) => group?.[0]));
  if (groupNames.size > 1) {
    fields.issues.error(
      at,
      path,
      "the local spillover targets must be members of one routing group",
    );
  } else if (groups[0]?.[1].swap !== false) {
    fields.issues.error(
      at,
      path,
      "the local spillover targets must share a group with swap: false, so they can run together",
    );
  }
}
