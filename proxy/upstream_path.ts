import type { Config } from "../config/types.ts";
import { HttpError } from "./errors.ts";
import { type ModelTarget, resolveModel } from "./resolve_model.ts";

/** An `/upstream/...` path split into its model and the rest. */
export interface UpstreamPath {
  readonly target: ModelTarget;
  /** The path segments that named the model, as the client wrote them. */
  readonly rawModel: string;
  /** What follows the model, raw, starting with `/`; "" when nothing. */
  readonly rest: string;
}

/**
 * Finds the model in a raw path after `/upstream/`: the longest run of
 * leading segments (each percent-decoded, joined with `/`) that names a
 * local model, an alias or a peer model. Selector IDs name nothing here,
 * even one that shadows a bare peer model name. Returns null when no run
 * names a model.
 *
 * Throws `HttpError` 400 when the rest could leave the model's base URL:
 * a `.` or `..` segment, written plainly or percent-encoded, or a
 * backslash (which URL parsers treat as a slash).
 */
export function resolveUpstreamPath(
  config: Config,
  rawAfterPrefix: string,
): UpstreamPath | null {
  const segments = rawAfterPrefix.split("/");
  let best: UpstreamPath | null = null;
  let name = "";

  for (let i = 0; i < segments.length; i++) {
    const decoded = decodeSegment(segments[i]!);
    if (decoded === null) break;
    name = i === 0 ? decoded : `${name}/${decoded}`;
    const usable = name !== "" && !Object.hasOwn(config.selectors, name);
    const target = usable ? resolveModel(config, name) : null;
    if (target) {
      const rest = segments.slice(i + 1);
      best = {
        target,
        rawModel: segments.slice(0, i + 1).join("/"),
        rest: rest.length > 0 ? `/${rest.join("/")}` : "",
      };
    }
  }

  if (best) assertSafeSubPath(best.rest);
  return best;
}

/** Collapses runs of slashes, so `//host` can never look like a host. */
export function collapseSlashes(path: string): string {
  return path.replace(/\/{2,}/g, "/");
}

function decodeSegment(segment: string): string | null {
  try {
    return decodeURIComponent(segment);
  } catch {
    return null; // a malformed escape cannot be part of a model name
  }
}

/**
 * Throws `HttpError` 400 when a raw sub-path could leave the base URL it
 * is appended to: a `.` or `..` segment, written plainly or
 * percent-encoded, or a backslash (which URL parsers treat as a slash).
 */
export function assertSafeSubPath(rest: string): void {
  for (const segment of rest.split("/")) {
    const plain = segment.replace(/%2e/gi, ".");
    if (plain === "." || plain === ".." || /\\|%5c/i.test(segment)) {
      throw new HttpError(
        400,
        `invalid upstream path: "${rest}" may not contain dot segments or backslashes`,
      );
    }
  }
}
