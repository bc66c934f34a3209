import type { MapFields } from "./fields.ts";
import { parseGoDuration } from "./go_duration.ts";
import { translateRe2 } from "./re2_pattern.ts";
import { Re2SyntaxError } from "./re2_syntax_error.ts";
import { reportType } from "./values.ts";
import type { YNode } from "./yaml_tree.ts";
import type { Config } from "./types.ts";

/** RE2 patterns of `/upstream` sub-paths that never start a model by default. */
export const DEFAULT_IGNORE_PATHS: readonly string[] = [
  String.raw`.*\.(js|json|css|png|gif|jpg|jpeg|ico|txt)$`,
];

const DEFAULT_IGNORE_SOURCES = DEFAULT_IGNORE_PATHS.map(translateRe2);

/** Headers the activity view reads a session ID from by default. */
export const DEFAULT_SESSION_ID_HEADERS: readonly string[] = [
  "X-Session-ID",
  "X-Litellm-Session-Id",
];

const MIN_PERFORMANCE_EVERY = 5;

type ServiceSettings = Pick<
  Config,
  "performance" | "upstreamIgnorePaths" | "storePath" | "sessionIdHeaders"
>;

/** Reads `performance`, `upstream`, `store` and `ui` from the top level. */
export function readServiceSettings(root: MapFields): ServiceSettings {
  return {
    performance: readPerformance(root.child("performance")),
    upstreamIgnorePaths: readIgnorePaths(root.child("upstream")),
    storePath: readStorePath(root.child("store")),
    sessionIdHeaders: readSessionIdHeaders(root.child("ui")),
  };
}

/** `every` is a Go duration string; missing or zero means 5 s, less is refused. */
function readPerformance(fields: MapFields): Config["performance"] {
  const disabled = fields.bool("disabled", false);
  fields.deprecated(
    "enable",
    "performance.enable has no effect; use disabled: true to turn monitoring off",
  );

  const node = fields.node("every");
  const every = node === undefined ? null : readEvery(fields, node);
  fields.finish();
  return { disabled, every: every || MIN_PERFORMANCE_EVERY };
}

/** Seconds of a Go duration string of at least 5 s (0 = default); null if bad. */
function readEvery(fields: MapFields, node: YNode): number | null {
  const path = fields.pathOf("every");
  const text = node.kind === "scalar" && typeof node.value === "string"
    ? node.value.trim()
    : undefined;
  const seconds = text === undefined ? null : parseGoDuration(text);
  if (seconds === null) {
    reportType(fields.issues, node, path, 'a duration such as "5s" or "1m30s"');
    return null;
  }
  if (seconds !== 0 && seconds < MIN_PERFORMANCE_EVERY) {
    fields.issues.error(
      node.span.start,
      path,
      `must be at least "5s", got ${JSON.stringify(text)}`,
    );
    return null;
  }
  return seconds;
}

/**
 * Absent or empty means the default pattern. Each is RE2 syntax, as in
 * llama-swap, translated to the JavaScript source the proxy compiles; one
 * that RE2 would refuse, or that has no JavaScript equivalent, is an error.
 */
function readIgnorePaths(fields: MapFields): readonly string[] {
  const items = fields.stringList("ignorePaths") ?? [];
  fields.finish();
  if (items.length === 0) return DEFAULT_IGNORE_SOURCES;

  const sources: string[] = [];
  for (const item of items) {
    try {
      sources.push(translateRe2(item.value));
    } catch (error) {
      if (!(error instanceof Re2SyntaxError)) throw error;
      fields.issues.error(
        item.node.span.start,
        item.path,
        `invalid regular expression ${
          JSON.stringify(item.value)
        }: ${error.message}`,
      );
    }
  }
  return sources;
}

/**
 * A present `store` needs a non-blank `path`. Whether the file can be
 * written is checked after decoding (`checkStorePath()` in load.ts).
 */
function readStorePath(fields: MapFields): string | null {
  if (!fields.present) {
    fields.finish();
    return null;
  }
  const path = fields.string("path", "").trim();
  fields.finish();
  if (path === "") {
    fields.issues.error(
      fields.node("path")?.span.start ?? fields.at,
      fields.pathOf("path"),
      "must name the SQLite file for activity history",
    );
    return null;
  }
  return path;
}

/**
 * `ui.activity.session_id`: absent means the default pair; entries are
 * trimmed, blanks dropped and later case-insensitive repeats dropped; an
 * explicit [] turns the lookup off.
 */
function readSessionIdHeaders(ui: MapFields): readonly string[] {
  const activity = ui.child("activity");
  ui.finish();
  const items = activity.stringList("session_id");
  activity.finish();
  if (items === undefined) return DEFAULT_SESSION_ID_HEADERS;

  const seen = new Set<string>();
  const headers: string[] = [];
  for (const item of items) {
    const header = item.value.trim();
    const folded = header.toLowerCase();
    if (header === "" || seen.has(folded)) continue;
    seen.add(folded);
    headers.push(header);
  }
  return headers;
}
