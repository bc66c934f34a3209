/**
 * Translates llama-swap's RE2 patterns (`upstream.ignorePaths`) into
 * JavaScript regular expression sources that mean the same, for
 * `new RegExp(source)` without flags.
 */
import { errorText } from "../lib/mod.ts";
import { translateClass } from "./re2_class.ts";
import {
  escapeCodeUnit,
  MAX_BMP,
  readCharacterEscape,
  readCodePoint,
} from "./re2_escape.ts";
import { Re2SyntaxError } from "./re2_syntax_error.ts";

interface Flags {
  /** Case-insensitive. */
  readonly i: boolean;
  /** `^` and `$` match at line breaks too. */
  readonly m: boolean;
  /** `.` matches `\n` too. */
  readonly s: boolean;
  /** Ungreedy: `*` is lazy and `*?` greedy. */
  readonly U: boolean;
}

interface Frame {
  /** The flags to restore when the group closes. */
  readonly saved: Flags;
  /** Whether the output is case-insensitive where the group starts. */
  readonly startI: boolean;
  /** A `(?i:` or `(?-i:` opened by `(?i)` inside the group is open. */
  modifierOpen: boolean;
  /** Where the group opened, for "missing )". */
  readonly at: number;
  /**
   * The largest product of nested `{n,m}` counts inside the group so far
   * (RE2 refuses a pattern whose product passes `MAX_REPEAT`).
   */
  nestedRepeat: number;
}

const MAX_REPEAT = 1000;
const QUANTIFIER_START = /^[*+?{]/;
/** A repeat operator for certain: `{` only when a valid count follows. */
const REPEAT_START = /^(?:[*+?]|\{\d+(?:,\d*)?\})/;
const CAPTURE_NAME_REGEXP = /^[\p{L}\p{Nd}_]+$/u;

/**
 * Translates an RE2 pattern into a JavaScript source with the same
 * matches, and refuses what RE2 refuses (lookaround, backreferences,
 * unknown escapes, bad repeat counts, nothing to repeat) with a
 * `Re2SyntaxError` naming the offending text. The result always compiles.
 *
 * Supported: inline flags `(?i)`, `(?m)`, `(?s)`, `(?U)` anywhere (also
 * negated and as `(?flags:re)`), named groups `(?P<name>re)` and
 * `(?<name>re)`, `\A`, `\z`, `\Q...\E`, `\x{10FFFF}`, octal escapes, POSIX
 * classes such as `[[:alpha:]]` and `[[:^space:]]` inside brackets, and
 * RE2's exact `.` (anything but `\n`) and `\s` (`[\t\n\f\r ]`).
 *
 * Known differences: Unicode classes (`\pL`, `\p{Greek}`) and `\C` are
 * refused; characters above U+FFFF cannot start a range or stand alone
 * inside brackets; elsewhere JavaScript matches them as two UTF-16 units,
 * so `.` takes half of one. Case folding is JavaScript's.
 *
 * @example
 * translateRe2(String.raw`(?i)^/static/[[:alnum:]_]+\.css\z`);
 * // String.raw`(?i:^\/static\/[0-9A-Za-z_]+\.css(?![\s\S]))`
 */
export function translateRe2(pattern: string): string {
  const { source, topLevelAlternation } = new Translator(pattern).run();
  return !topLevelAlternation && source.startsWith(ANY_RUN)
    ? `${LINE_START}${source}`
    : source;
}

/**
 * A pattern that starts with `.*` (no `(?s)`) and has no top-level `|`
 * gets this in front: "at the start of the text or of a line". A match
 * starting anywhere else could start earlier on its line, since `.*` takes
 * in any run of non-newlines, so what matches and where the leftmost
 * match starts stay the same; but JavaScript's backtracking then tries
 * one start position per line instead of every one, which keeps a long
 * path from taking quadratic time (a 32 KB path under llama-swap's default
 * `ignorePaths` pattern took about a second).
 */
const LINE_START = "(?<![^\\n])";

/** What `.*` becomes outside `(?s)`. */
const ANY_RUN = "[^\\n]*";

class Translator {
  readonly #source: string;
  #pos = 0;
  #out = "";
  #flags: Flags = { i: false, m: false, s: false, U: false };
  /** The last thing read was a `(?flags)` group, which matches nothing. */
  #afterFlags = false;
  /** A `|` outside every group was read. */
  #topLevelAlternation = false;
  /** The nested `{n,m}` product of what a repeat now would apply to. */
  #lastAtomRepeat = 1;
  readonly #frames: Frame[] = [];
  readonly #names = new Set<string>();

  constructor(source: string) {
    this.#source = source;
  }

  run(): { source: string; topLevelAlternation: boolean } {
    this.#frames.push({
      saved: this.#flags,
      startI: false,
      modifierOpen: false,
      at: 0,
      nestedRepeat: 1,
    });
    while (this.#pos < this.#source.length) this.#step();
    if (this.#frames.length > 1) {
      const open = this.#frames[this.#frames.length - 1]!;
      this.#fail("missing closing )", open.at);
    }
    if (this.#top().modifierOpen) this.#out += ")";
    return {
      source: compiled(this.#out),
      topLevelAlternation: this.#topLevelAlternation,
    };
  }

  #step(): void {
    const char = this.#source[this.#pos]!;
    const afterFlags = this.#afterFlags;
    this.#afterFlags = false;
    if (afterFlags && REPEAT_START.test(this.#source.slice(this.#pos))) {
      // RE2 would repeat what came before the flags; JavaScript cannot
      // say that without a group, and such a pattern is almost surely a
      // slip, so it is refused rather than given another meaning.
      this.#fail("a repeat cannot follow an inline flag group", this.#pos);
    }
    // A new atom weighs 1 until a group closing says otherwise.
    const repeat = REPEAT_START.test(this.#source.slice(this.#pos));
    if (char !== ")" && !repeat) this.#lastAtomRepeat = 1;
    switch (char) {
      case "(":
        return this.#openGroup();
      case ")":
        return this.#closeGroup();
      case "|":
        return this.#alternation();
      case "[": {
        const translated = translateClass(this.#source, this.#pos);
        this.#pos = translated.end;
        this.#out += translated.source;
        return;
      }
      case "*":
      case "+":
      case "?":
        this.#pos++;
        return this.#quantifier(char);
      case "{":
        return this.#brace();
      case ".":
        this.#pos++;
        this.#out += this.#flags.s ? "[\\s\\S]" : "[^\\n]";
        return;
      case "^":
        this.#pos++;
        return this.#assertion(
          this.#flags.m ? "(?<![\\s\\S])|(?<=\\n)" : "^",
        );
      case "$":
        this.#pos++;
        return this.#assertion(
          this.#flags.m ? "(?![\\s\\S])|(?=\\n)" : "$",
        );
      case "\\":
        return this.#escape();
      default:
        return this.#literal(this.#nextCodePoint());
    }
  }

  #openGroup(): void {
    const at = this.#pos;
    const rest = this.#source.slice(at);
    if (rest.startsWith("(?=") || rest.startsWith("(?!")) {
      this.#fail(`lookahead "${rest.slice(0, 3)}" is not supported`, at);
    }
    if (rest.startsWith("(?<=") || rest.startsWith("(?<!")) {
      this.#fail(`lookbehind "${rest.slice(0, 4)}" is not supported`, at);
    }
    if (rest.startsWith("(?P=") || rest.startsWith("(?P>")) {
      this.#fail(`backreference "${rest.slice(0, 4)}" is not supported`, at);
    }
    if (rest.startsWith("(?P<") || rest.startsWith("(?<")) {
      return this.#namedGroup(rest);
    }
    if (!rest.startsWith("(?")) {
      this.#pos++;
      this.#push(this.#flags, at);
      this.#out += "(";
      return;
    }
    this.#flagGroup(at);
  }

  #namedGroup(rest: string): void {
    const at = this.#pos;
    const match = /^\(\?P?<([^>]*)>/.exec(rest);
    const name = match?.[1];
    if (
      match === null || name === undefined || !CAPTURE_NAME_REGEXP.test(name)
    ) {
      const shown = match?.[0] ?? rest.slice(0, rest.indexOf("<") + 1);
      this.#fail(`invalid named capture "${shown}"`, at);
    }
    if (this.#names.has(name)) {
      this.#fail(`duplicate capture group name "${name}"`, at);
    }
    this.#names.add(name);
    this.#pos += match[0].length;
    this.#push(this.#flags, at);
    this.#out += "(";
  }

  /** `(?flags)` or `(?flags:re)`, parsed as RE2 does. */
  #flagGroup(at: number): void {
    let pos = at + 2;
    let negated = false;
    let sawFlag = false;
    const set: Record<keyof Flags, boolean> = { ...this.#flags };
    for (; pos < this.#source.length; pos++) {
      const char = this.#source[pos]!;
      if (char === "i" || char === "m" || char === "s" || char === "U") {
        set[char] = !negated;
        sawFlag = true;
      } else if (char === "-" && !negated) {
        negated = true;
        sawFlag = false;
      } else if ((char === ":" || char === ")") && (!negated || sawFlag)) {
        this.#pos = pos + 1;
        if (char === ")") return this.#setFlags(set);
        return this.#pushFlagged(set, at);
      } else {
        break;
      }
    }
    const shown = this.#source.slice(at, pos + 1);
    this.#fail(`invalid or unsupported Perl syntax "${shown}"`, at);
  }

  #pushFlagged(flags: Flags, at: number): void {
    const before = this.#flags.i;
    this.#push(flags, at);
    this.#out += flags.i === before ? "(?:" : flags.i ? "(?i:" : "(?-i:";
  }

  #push(flags: Flags, at: number): void {
    this.#frames.push({
      saved: this.#flags,
      startI: flags.i,
      modifierOpen: false,
      at,
      nestedRepeat: 1,
    });
    this.#flags = flags;
  }

  /** `(?flags)`: the flags hold until the enclosing group ends. */
  #setFlags(flags: Flags): void {
    const top = this.#top();
    if (flags.i !== this.#flags.i) {
      if (top.modifierOpen) this.#out += ")";
      top.modifierOpen = flags.i !== top.startI;
      if (top.modifierOpen) this.#out += flags.i ? "(?i:" : "(?-i:";
    }
    this.#flags = flags;
    this.#afterFlags = true;
  }

  #closeGroup(): void {
    if (this.#frames.length === 1) {
      this.#fail("unexpected )", this.#pos);
    }
    this.#pos++;
    const frame = this.#frames.pop()!;
    if (frame.modifierOpen) this.#out += ")";
    this.#out += ")";
    this.#flags = frame.saved;
    const parent = this.#top();
    parent.nestedRepeat = Math.max(parent.nestedRepeat, frame.nestedRepeat);
    this.#lastAtomRepeat = frame.nestedRepeat;
  }

  /** Flags set by `(?i)` carry on into the next alternative, as in RE2. */
  #alternation(): void {
    this.#pos++;
    if (this.#frames.length === 1) this.#topLevelAlternation = true;
    if (!this.#top().modifierOpen) {
      this.#out += "|";
      return;
    }
    this.#out += this.#flags.i ? ")|(?i:" : ")|(?-i:";
  }

  #quantifier(text: string): void {
    let lazy = false;
    if (this.#source[this.#pos] === "?") {
      lazy = true;
      this.#pos++;
    }
    this.#out += text + (lazy !== this.#flags.U ? "?" : "");
  }

  /** `{n}`, `{n,}` or `{n,m}` as RE2 reads them; anything else is literal. */
  #brace(): void {
    const at = this.#pos;
    const match = /^\{(\d+)(,(\d*))?\}/.exec(this.#source.slice(at));
    const numbers = match ? [match[1]!, match[3] ?? ""] : [];
    if (match === null || numbers.some((n) => /^0\d/.test(n))) {
      this.#pos++;
      this.#out += "\\{";
      return;
    }
    const min = Number(match[1]);
    const max = match[2] === undefined
      ? min
      : match[3] === ""
      ? Infinity
      : Number(match[3]);
    if (min > MAX_REPEAT || (max !== Infinity && max > MAX_REPEAT)) {
      this.#fail(`invalid repeat count "${match[0]}"`, at);
    }
    if (min > max) this.#fail(`invalid repeat count "${match[0]}"`, at);
    // Counts multiply through nesting, as RE2 checks them: (a{500}){3}
    // is refused like a{1500}. An unbounded count weighs its minimum.
    const count = max === Infinity ? min : max;
    const nested = Math.max(count, 1) * this.#lastAtomRepeat;
    if (nested > MAX_REPEAT) {
      this.#fail(`invalid repeat count "${match[0]}"`, at);
    }
    const top = this.#top();
    top.nestedRepeat = Math.max(top.nestedRepeat, nested);
    this.#pos += match[0].length;
    this.#quantifier(match[0]);
  }

  /** Wrapped in a group when a quantifier follows, which JS allows then. */
  #assertion(text: string): void {
    const quantified = QUANTIFIER_START.test(this.#source.slice(this.#pos));
    const grouped = quantified || text.includes("|");
    this.#out += grouped ? `(?:${text})` : text;
  }

  #escape(): void {
    const at = this.#pos;
    const next = this.#source[at + 1];
    if (next === undefined) this.#fail("trailing backslash", at);
    const simple: Record<string, string> = {
      b: "\\b",
      B: "\\B",
      d: "\\d",
      D: "\\D",
      w: "\\w",
      W: "\\W",
      s: "[\\t\\n\\f\\r ]",
      S: "[^\\t\\n\\f\\r ]",
    };
    if (next === "A" || next === "z") {
      this.#pos += 2;
      return this.#assertion(next === "A" ? "(?<![\\s\\S])" : "(?![\\s\\S])");
    }
    if (next === "b" || next === "B") {
      this.#pos += 2;
      return this.#assertion(simple[next]!);
    }
    if (simple[next] !== undefined) {
      this.#pos += 2;
      this.#out += simple[next];
      return;
    }
    if (next === "Q") return this.#quoted();
    const escaped = readCharacterEscape(this.#source, at);
    this.#pos = escaped.end;
    this.#literal(escaped.code);
  }

  /** `\Q...\E`: everything up to `\E` (or the end) is literal. */
  #quoted(): void {
    this.#pos += 2;
    const end = this.#source.indexOf("\\E", this.#pos);
    const stop = end < 0 ? this.#source.length : end;
    while (this.#pos < stop) this.#literal(this.#nextCodePoint());
    if (end >= 0) this.#pos += 2;
  }

  #literal(code: number): void {
    if (code > MAX_BMP) {
      const pair = String.fromCodePoint(code);
      this.#out += `(?:${escapeCodeUnit(pair.charCodeAt(0))}${
        escapeCodeUnit(pair.charCodeAt(1))
      })`;
      return;
    }
    this.#out += escapeCodeUnit(code);
  }

  #nextCodePoint(): number {
    const { code, end } = readCodePoint(this.#source, this.#pos);
    this.#pos = end;
    return code;
  }

  #top(): Frame {
    return this.#frames[this.#frames.length - 1]!;
  }

  #fail(message: string, offset: number): never {
    throw new Re2SyntaxError(message, offset);
  }
}

/**
 * `source` once JavaScript accepts it. What RE2 refuses and JavaScript does
 * too (`a**`, a leading `*`) is left for this check to report.
 */
function compiled(source: string): string {
  try {
    new RegExp(source);
  } catch (error) {
    const detail = errorText(error);
    const reason = detail.slice(detail.lastIndexOf(": ") + 2);
    throw new Re2SyntaxError(
      reason.charAt(0).toLowerCase() + reason.slice(1),
      0,
    );
  }
  return source;
}
