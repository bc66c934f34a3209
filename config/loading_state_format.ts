import type { MapFields } from "./fields.ts";
import type { LoadingStateFormat } from "./types.ts";

const FORMATS: readonly LoadingStateFormat[] = ["reasoning", "comment"];

/**
 * Reads `loadingStateFormat` from a top-level or model mapping; undefined
 * when absent (a model then inherits the global choice).
 */
export function readLoadingStateFormat(
  fields: MapFields,
): LoadingStateFormat | undefined {
  const text = fields.optionalString("loadingStateFormat");
  if (text === undefined) return undefined;
  const format = FORMATS.find((f) => f === text);
  if (format === undefined) {
    fields.issues.error(
      fields.node("loadingStateFormat")?.span.start ?? fields.at,
      fields.pathOf("loadingStateFormat"),
      `must be "reasoning" or "comment", got ${JSON.stringify(text)}`,
    );
  }
  return format;
}
