import { parseDocument, Parser } from "yaml";
import type { Issues } from "./issues.ts";
import { pathAtOffset } from "./parse_yaml.ts";
import type { TextEdit } from "./source_map.ts";

/** Looks up an environment variable; undefined means it is not set. */
export type EnvLookup = (name: string) => string | undefined;

/** The text after `${env.NAME}` substitution and where it changed. */
export interface EnvExpansion {
  readonly text: string;
  /** Sorted by offset in the original text. */
  readonly edits: readonly TextEdit[];
  /** Per edit: it was made inside a YAML comment. */
  readonly inComment: readonly boolean[];
}

/** The text after both `${env.NAME}` passes, or the one errors refer to. */
export interface EnvSubstitution {
  /** False when a pass reported problems; they are positioned in `text`. */
  readonly ok: boolean;
  readonly text: string;
  /** The edits that made `text`, one layer per pass, for a `SourceMap`. */
  readonly layers: readonly (readonly TextEdit[])[];
}

const ENV_MACRO_REGEXP = /\$\{env\.([A-Za-z_][A-Za-z0-9_]*)\}/g;
const FORBIDDEN_CHARACTERS_REGEXP = /[\n\r\0]/;

/**
 * Replaces `${env.NAME}` references in the raw config text, before YAML
 * parsing, so they work anywhere: values, keys, flow lists, numbers.
 *
 * Only references outside YAML comments must name a set variable; a
 * reference that appears only in a comment is left alone. Values are escaped
 * (`\` and `"` get a backslash) so they survive inside double-quoted
 * strings, and values holding a newline, carriage return or NUL are refused.
 * Problems go to `issues` (one per variable, at its first active use); the
 * result is null when there were any.
 */
export function expandEnvMacros(
  text: string,
  env: EnvLookup,
  issues: Issues,
): EnvExpansion | null {
  const { probe, document } = probeDocument(text);
  const valid = document.errors.length === 0;
  const active = valid ? blankComments(text, probe) : text;

  const values = new Map<string, string>();
  const reported = new Set<string>();
  for (const match of active.matchAll(ENV_MACRO_REGEXP)) {
    const name = match[1] ?? "";
    if (values.has(name) || reported.has(name)) continue;
    const value = env(name);
    const problem = checkValue(name, value);
    if (value === undefined || problem !== null) {
      reported.add(name);
      const path = valid ? pathAtOffset(document, match.index) : "";
      issues.error(match.index, path, problem ?? "");
      continue;
    }
    values.set(name, escapeForYaml(value));
  }
  if (reported.size > 0) return null;

  const edits: TextEdit[] = [];
  const inComment: boolean[] = [];
  const expanded = text.replace(
    ENV_MACRO_REGEXP,
    (whole: string, name: string, offset: number) => {
      const value = values.get(name);
      if (value === undefined) return whole;
      edits.push({
        start: offset,
        length: whole.length,
        replacementLength: value.length,
      });
      inComment.push(active[offset] !== text[offset]); // blanked: a comment
      return value;
    },
  );
  return { text: expanded, edits, inComment };
}

/**
 * Makes llama-swap's two `${env.NAME}` passes: `expandEnvMacros()` over the
 * file, then once more over the values the first pass put in, so a
 * variable whose value holds `${env.OTHER}` gets OTHER's value too
 * (llama-swap runs its second pass over the whole document re-serialised
 * without comments, which changes only those values). Only the text
 * inserted outside comments is looked at again: a reference in a comment
 * never counts, not even in the value of a variable a comment names, and
 * not even when an inserted value leaves the YAML unparsable. Values
 * inserted by the second pass are not looked at again.
 */
export function substituteEnvMacros(
  text: string,
  env: EnvLookup,
  issues: Issues,
): EnvSubstitution {
  const first = expandEnvMacros(text, env, issues);
  if (first === null) return { ok: false, text, layers: [] };
  const second = expandInsertedValues(first, env, issues);
  if (second === null) {
    return { ok: false, text: first.text, layers: [first.edits] };
  }
  return { ok: true, text: second.text, layers: [first.edits, second.edits] };
}

/**
 * The second pass: `${env.NAME}` references inside the values `first`
 * inserted are replaced (problems reported at them, in `first.text`).
 */
function expandInsertedValues(
  first: EnvExpansion,
  env: EnvLookup,
  issues: Issues,
): EnvExpansion | null {
  const text = first.text;
  const edits: TextEdit[] = [];
  const reported = new Set<string>();
  let out = "";
  let cursor = 0;
  let shift = 0;
  for (const [index, inserted] of first.edits.entries()) {
    const start = inserted.start + shift;
    shift += inserted.replacementLength - inserted.length;
    // llama-swap's second pass never sees comments.
    if (first.inComment[index]) continue;
    const value = text.slice(start, start + inserted.replacementLength);
    for (const match of value.matchAll(ENV_MACRO_REGEXP)) {
      const name = match[1] ?? "";
      const at = start + match.index;
      const found = env(name);
      const problem = checkValue(name, found);
      if (found === undefined || problem !== null) {
        if (!reported.has(name)) {
          issues.error(at, keyPathAt(text, at), problem ?? "");
        }
        reported.add(name);
        continue;
      }
      const escaped = escapeForYaml(found);
      out += text.slice(cursor, at) + escaped;
      cursor = at + match[0].length;
      edits.push({
        start: at,
        length: match[0].length,
        replacementLength: escaped.length,
      });
    }
  }
  if (reported.size > 0) return null;
  return {
    text: out + text.slice(cursor),
    edits,
    inComment: edits.map(() => false),
  };
}

/** The key path at `offset` of `text`, or "" when the YAML does not parse. */
function keyPathAt(text: string, offset: number): string {
  const { document } = probeDocument(text);
  return document.errors.length === 0 ? pathAtOffset(document, offset) : "";
}

/**
 * `text` parsed with each reference replaced by as many letters, so braces
 * in flow lists (`[${env.KEY}]`) do not break it and offsets still match.
 */
function probeDocument(text: string) {
  const probe = text.replace(
    ENV_MACRO_REGEXP,
    (whole) => "x".repeat(whole.length),
  );
  const document = parseDocument(probe, { merge: true, prettyErrors: false });
  return { probe, document };
}

function checkValue(name: string, value: string | undefined): string | null {
  const quoted = JSON.stringify(name);
  if (value === undefined) return `environment variable ${quoted} is not set`;
  if (FORBIDDEN_CHARACTERS_REGEXP.test(value)) {
    return `environment variable ${quoted} holds a newline or NUL character, which cannot be placed in YAML`;
  }
  return null;
}

function escapeForYaml(value: string): string {
  return value.replaceAll("\\", "\\\\").replaceAll('"', '\\"');
}

/** `text` with every comment found in `probe` (same offsets) blanked. */
function blankComments(text: string, probe: string): string {
  const comments: { offset: number; length: number }[] = [];
  for (const token of new Parser().parse(probe)) {
    collectComments(token, comments);
  }
  if (comments.length === 0) return text;

  let result = "";
  let cursor = 0;
  for (const comment of comments.sort((a, b) => a.offset - b.offset)) {
    if (comment.offset < cursor) continue;
    result += text.slice(cursor, comment.offset) + " ".repeat(comment.length);
    cursor = comment.offset + comment.length;
  }
  return result + text.slice(cursor);
}

function collectComments(
  token: unknown,
  out: { offset: number; length: number }[],
): void {
  if (Array.isArray(token)) {
    for (const item of token) collectComments(item, out);
    return;
  }
  if (token === null || typeof token !== "object") return;
  const record = token as Record<string, unknown>;
  if (
    record.type === "comment" && typeof record.offset === "number" &&
    typeof record.source === "string"
  ) {
    out.push({ offset: record.offset, length: record.source.length });
  }
  for (const value of Object.values(record)) {
    if (value !== null && typeof value === "object") {
      collectComments(value, out);
    }
  }
}
