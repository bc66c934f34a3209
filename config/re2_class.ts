import {
  escapeCodeUnit,
  MAX_BMP,
  readCharacterEscape,
  readCodePoint,
} from "./re2_escape.ts";
import { Re2SyntaxError } from "./re2_syntax_error.ts";

type Range = readonly [number, number];

/** A bracket class translated, and the offset just after its `]`. */
export interface TranslatedClass {
  readonly source: string;
  readonly end: number;
}

const SPACE_RANGES: readonly Range[] = [
  [0x09, 0x0a],
  [0x0c, 0x0d],
  [0x20, 0x20],
];
const DIGIT_RANGES: readonly Range[] = [[0x30, 0x39]];
const WORD_RANGES: readonly Range[] = [
  [0x30, 0x39],
  [0x41, 0x5a],
  [0x5f, 0x5f],
  [0x61, 0x7a],
];

/** RE2's POSIX classes (`[[:alpha:]]`), ASCII only as in RE2. */
const POSIX_CLASSES: ReadonlyMap<string, readonly Range[]> = new Map(
  [
    ["alnum", [[0x30, 0x39], [0x41, 0x5a], [0x61, 0x7a]]],
    ["alpha", [[0x41, 0x5a], [0x61, 0x7a]]],
    ["ascii", [[0x00, 0x7f]]],
    ["blank", [[0x09, 0x09], [0x20, 0x20]]],
    ["cntrl", [[0x00, 0x1f], [0x7f, 0x7f]]],
    ["digit", DIGIT_RANGES],
    ["graph", [[0x21, 0x7e]]],
    ["lower", [[0x61, 0x7a]]],
    ["print", [[0x20, 0x7e]]],
    ["punct", [[0x21, 0x2f], [0x3a, 0x40], [0x5b, 0x60], [0x7b, 0x7e]]],
    ["space", [[0x09, 0x0d], [0x20, 0x20]]],
    ["upper", [[0x41, 0x5a]]],
    ["word", WORD_RANGES],
    ["xdigit", [[0x30, 0x39], [0x41, 0x46], [0x61, 0x66]]],
  ] satisfies [string, readonly Range[]][],
);

/**
 * Translates the RE2 bracket class at `at` (`[...]` or `[^...]`) into a
 * JavaScript class of explicit ranges, following RE2's rules: a `]` first
 * is literal, `-` makes a range only between two characters, POSIX classes
 * (`[:alpha:]`, `[:^space:]`) and `\d \w \s` (and their capitals) expand to
 * RE2's ASCII sets, and `\b`, `\pL` or a reversed range throw. Characters
 * above U+FFFF cannot start a range or stand alone here; a range reaching
 * past U+FFFF stops there.
 */
export function translateClass(source: string, at: number): TranslatedClass {
  let pos = at + 1;
  const negated = source[pos] === "^";
  if (negated) pos++;

  const ranges: Range[] = [];
  for (let first = true;; first = false) {
    const char = source[pos];
    if (char === undefined) throw new Re2SyntaxError("missing closing ]", at);
    if (char === "]" && !first) break;
    const item = readItem(source, pos, at);
    ranges.push(...item.ranges);
    pos = item.end;
  }

  const body = ranges.map((range) => rangeSource(range, at)).join("");
  return { source: `[${negated ? "^" : ""}${body}]`, end: pos + 1 };
}

/** One item of a class: a POSIX or Perl class, a character or a range. */
function readItem(
  source: string,
  at: number,
  start: number,
): { ranges: readonly Range[]; end: number } {
  const rest = source.slice(at);
  const close = rest.startsWith("[:") ? rest.indexOf(":]", 2) : -1;
  if (close >= 0) {
    const name = rest.slice(0, close + 2);
    return { ranges: posixClass(name, at), end: at + close + 2 };
  }
  const perl = /^\\([dDwWsS])/.exec(rest)?.[1];
  if (perl !== undefined) return { ranges: perlClass(perl), end: at + 2 };

  const low = readClassCharacter(source, at, start);
  let high = low;
  const dash = source[low.end] === "-" && source[low.end + 1] !== undefined &&
    source[low.end + 1] !== "]";
  if (dash) {
    high = readClassCharacter(source, low.end + 1, start);
    if (high.code < low.code) {
      const shown = source.slice(at, high.end);
      throw new Re2SyntaxError(`invalid character class range "${shown}"`, at);
    }
  }
  return { ranges: [[low.code, high.code]], end: high.end };
}

function readClassCharacter(source: string, at: number, start: number) {
  if (at >= source.length) throw new Re2SyntaxError("missing closing ]", start);
  return source[at] === "\\"
    ? readCharacterEscape(source, at)
    : readCodePoint(source, at);
}

function rangeSource([low, high]: Range, at: number): string {
  if (low > MAX_BMP) {
    throw new Re2SyntaxError(
      "characters above U+FFFF are not supported inside brackets",
      at,
    );
  }
  const top = Math.min(high, MAX_BMP);
  return low === top
    ? escapeCodeUnit(low)
    : `${escapeCodeUnit(low)}-${escapeCodeUnit(top)}`;
}

/** `[:name:]` or `[:^name:]` as ranges. */
function posixClass(text: string, at: number): readonly Range[] {
  const negated = text.startsWith("[:^");
  const ranges = POSIX_CLASSES.get(text.slice(negated ? 3 : 2, -2));
  if (ranges === undefined) {
    throw new Re2SyntaxError(`invalid character class range "${text}"`, at);
  }
  return negated ? complement(ranges) : ranges;
}

function perlClass(letter: string): readonly Range[] {
  const lower = letter.toLowerCase();
  const ranges = lower === "d"
    ? DIGIT_RANGES
    : lower === "w"
    ? WORD_RANGES
    : SPACE_RANGES;
  return letter === lower ? ranges : complement(ranges);
}

/** Every BMP code point outside `ranges`. */
function complement(ranges: readonly Range[]): Range[] {
  const result: Range[] = [];
  let next = 0;
  for (const [low, high] of [...ranges].sort((a, b) => a[0] - b[0])) {
    if (low > next) result.push([next, low - 1]);
    next = Math.max(next, high + 1);
  }
  if (next <= MAX_BMP) result.push([next, MAX_BMP]);
  return result;
}
