import type { MatrixProgram } from "../planners/mod.ts";
import type { MapFields } from "./fields.ts";
import { decodeGroups, readGroups } from "./groups.ts";
import { decodeMatrix, readMatrix } from "./matrix.ts";
import { childPath } from "./paths.ts";
import type { RouterConfig, SchedulerConfig } from "./types.ts";
import { readNumber } from "./values.ts";
import type { YEntry } from "./yaml_tree.ts";

const DEFAULT_MAX_WAIT = 60;

/** The effective routing, whichever way the file spelled it. */
export interface RoutingRead {
  readonly router: RouterConfig;
  readonly scheduler: SchedulerConfig;
  /** The compiled matrix when the router is a valid matrix, else null. */
  readonly program: MatrixProgram | null;
}

/**
 * Reads the router from the legacy top-level `groups`/`matrix` keys or from
 * `routing.router` (never both), and the scheduler from `routing.scheduler`.
 * The router defaults to groups, where `(default)` holds every model no
 * group lists; the scheduler is always `fifo`. Under `routing.router.settings`
 * the block `use` does not pick is still decoded, so its type errors are
 * reported, but it is not validated against the models.
 */
export function readRouting(
  root: MapFields,
  modelIds: readonly string[],
  aliases: ReadonlyMap<string, string>,
): RoutingRead {
  const issues = root.issues;
  const routing = root.child("routing");
  const router = routing.child("router");
  const settings = router.child("settings");
  const use = router.optionalString("use") ?? "";
  const legacyGroups = root.dictionary("groups");
  const legacyMatrix = root.node("matrix");
  const routedGroups = settings.dictionary("groups");
  const routedMatrix = settings.node("matrix");

  const legacy = legacyGroups.length > 0 || legacyMatrix !== undefined;
  const routed = use !== "" || routedGroups.length > 0 ||
    routedMatrix !== undefined;
  if (legacy && routed) {
    issues.error(
      routing.entry("router")?.keySpan.start ?? routing.at,
      router.path,
      'cannot be combined with the top-level "groups" or "matrix" keys; move them into routing.router.settings',
    );
  }
  if (legacyGroups.length > 0 && legacyMatrix !== undefined) {
    issues.error(
      root.entry("matrix")?.keySpan.start ?? 0,
      "matrix",
      'cannot be used together with top-level "groups"; choose one router',
    );
  }

  // When both spellings are present (an error above), the routing block wins.
  let kind: "group" | "matrix" = "group";
  let matrixFields = root.child("matrix");
  let groupsPath = "groups";
  let groupEntries = legacyGroups;
  if (routed || !legacy) {
    kind = use === "matrix" && routedMatrix !== undefined ? "matrix" : "group";
    matrixFields = settings.child("matrix");
    groupsPath = settings.pathOf("groups");
    groupEntries = routedGroups;
    checkRouterUse(router, use, routedMatrix !== undefined);
  } else if (legacyMatrix !== undefined && legacyGroups.length === 0) {
    kind = "matrix";
  }
  if (routed) decodeInactive(settings, kind, routedGroups);
  settings.finish();
  router.finish();

  const scheduler = readScheduler(
    routing.child("scheduler"),
    modelIds,
    aliases,
  );
  routing.finish();

  if (kind === "matrix") {
    const matrix = readMatrix(matrixFields, new Set(modelIds), aliases);
    return {
      router: { use: "matrix", matrix: matrix.config },
      scheduler,
      program: matrix.program,
    };
  }
  const groups = readGroups(
    issues,
    groupEntries,
    groupsPath,
    modelIds,
    aliases,
  );
  return { router: { use: "group", groups }, scheduler, program: null };
}

/** Decodes the `settings` block of the router that is not active. */
function decodeInactive(
  settings: MapFields,
  active: "group" | "matrix",
  groupEntries: readonly YEntry[],
): void {
  if (active === "matrix") {
    decodeGroups(settings.issues, groupEntries, settings.pathOf("groups"));
  } else if (settings.has("matrix")) {
    decodeMatrix(settings.child("matrix"));
  }
}

function checkRouterUse(
  router: MapFields,
  use: string,
  hasMatrix: boolean,
): void {
  const at = router.node("use")?.span.start ?? router.at;
  if (use === "matrix" && !hasMatrix) {
    router.issues.error(
      at,
      router.pathOf("use"),
      'is "matrix" but routing.router.settings.matrix is not set',
    );
  } else if (use !== "" && use !== "group" && use !== "matrix") {
    router.issues.error(
      at,
      router.pathOf("use"),
      `must be "group" or "matrix", got ${JSON.stringify(use)}`,
    );
  } else if (use === "" && hasMatrix) {
    router.issues.warn(
      at,
      router.pathOf("use"),
      'is not "matrix", so routing.router.settings.matrix is ignored and groups route',
    );
  }
}

/**
 * `routing.scheduler`: `use` may only be `fifo`; `settings.fifo.priority`
 * maps model IDs or aliases (stored as the real ID) to whole numbers;
 * `settings.fifo.maxWait` bounds the wait of the oldest queued request.
 */
function readScheduler(
  scheduler: MapFields,
  modelIds: readonly string[],
  aliases: ReadonlyMap<string, string>,
): SchedulerConfig {
  const issues = scheduler.issues;
  const use = scheduler.optionalString("use") ?? "";
  if (use !== "" && use !== "fifo") {
    issues.error(
      scheduler.node("use")?.span.start ?? scheduler.at,
      scheduler.pathOf("use"),
      `must be "fifo", got ${JSON.stringify(use)}`,
    );
  }
  const settings = scheduler.child("settings");
  const fifo = settings.child("fifo");
  const known = new Set(modelIds);
  const priority: Record<string, number> = {};
  const priorityPath = fifo.pathOf("priority");
  for (const entry of fifo.dictionary("priority")) {
    const path = childPath(priorityPath, entry.key);
    const id = known.has(entry.key) ? entry.key : aliases.get(entry.key);
    if (id === undefined) {
      issues.error(
        entry.keySpan.start,
        path,
        `unknown model ${JSON.stringify(entry.key)}`,
      );
      continue;
    }
    const value = readNumber(issues, entry.value, path, {
      expect: "a whole number",
    });
    if (value !== undefined) priority[id] = value;
  }
  const maxWait = fifo.number("maxWait", DEFAULT_MAX_WAIT, {
    expect: "a number of seconds >= 0",
    min: 0,
    integer: false,
  });
  fifo.finish();
  settings.finish();
  scheduler.finish();
  return { use: "fifo", priority, maxWait };
}
