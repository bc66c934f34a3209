import { Re2SyntaxError } from "./re2_syntax_error.ts";

/** The last code point JavaScript matches as one unit without the u flag. */
export const MAX_BMP = 0xffff;

/** One character of an RE2 pattern and the offset just after it. */
export interface Re2Character {
  readonly code: number;
  readonly end: number;
}

const SIMPLE_ESCAPES: ReadonlyMap<string, number> = new Map([
  ["a", 0x07],
  ["f", 0x0c],
  ["t", 0x09],
  ["n", 0x0a],
  ["r", 0x0d],
  ["v", 0x0b],
]);

/**
 * Reads the `\` escape at `at` that stands for one character, as RE2 does:
 * `\a \f \t \n \r \v`, octal (`\0`, `\12`, `\101`; a lone `\1` to `\9` is
 * a backreference RE2 refuses), `\x41`, `\x{10FFFF}` and an escaped ASCII
 * punctuation mark. Any other escape (`\e`, `\Z`, `\pL`) throws.
 */
export function readCharacterEscape(source: string, at: number): Re2Character {
  const next = source[at + 1] ?? "";
  const after = source[at + 2] ?? "";
  const octal = /^[0-7]$/.test(next) &&
    (next === "0" || /^[0-7]$/.test(after));
  if (/^[1-9]$/.test(next) && !octal) {
    throw new Re2SyntaxError(`backreference "\\${next}" is not supported`, at);
  }
  if (octal) {
    const digits = /^[0-7]{1,3}/.exec(source.slice(at + 1))![0];
    return { code: parseInt(digits, 8), end: at + 1 + digits.length };
  }
  if (next === "x") return readHexEscape(source, at);
  const simple = SIMPLE_ESCAPES.get(next);
  if (simple !== undefined) return { code: simple, end: at + 2 };
  if (next === "p" || next === "P") {
    throw new Re2SyntaxError(`Unicode class "\\${next}" is not supported`, at);
  }
  const code = next.codePointAt(0) ?? 0;
  if (next !== "" && code < 0x80 && !/[A-Za-z0-9]/.test(next)) {
    return { code, end: at + 2 };
  }
  throw new Re2SyntaxError(
    next === ""
      ? "trailing backslash"
      : `invalid escape sequence "\\${String.fromCodePoint(code)}"`,
    at,
  );
}

function readHexEscape(source: string, at: number): Re2Character {
  const rest = source.slice(at);
  const match = /^\\x(?:([0-9A-Fa-f]{2})|\{([0-9A-Fa-f]+)\})/.exec(rest);
  const code = match ? parseInt(match[1] ?? match[2]!, 16) : NaN;
  if (match === null || !(code <= 0x10ffff)) {
    throw new Re2SyntaxError(
      `invalid escape sequence "${rest.slice(0, 4)}"`,
      at,
    );
  }
  return { code, end: at + match[0].length };
}

/** The code point at `at` (a surrogate pair counts as one). */
export function readCodePoint(source: string, at: number): Re2Character {
  const code = source.codePointAt(at)!;
  return { code, end: at + (code > MAX_BMP ? 2 : 1) };
}

/** One UTF-16 unit as a source that means only itself, in or out of `[]`. */
export function escapeCodeUnit(code: number): string {
  const char = String.fromCharCode(code);
  if (/[A-Za-z0-9_]/.test(char)) return char;
  if (code > 0x20 && code < 0x7f) return `\\${char}`;
  return code <= 0xff
    ? `\\x${code.toString(16).padStart(2, "0")}`
    : `\\u${code.toString(16).padStart(4, "0")}`;
}
