import { MatrixSyntaxError } from "./errors.ts";

/**
 * One lexical unit of a swap matrix expression.
 *
 * `name` is a model or var name, `ref` is `+set` (its `text` is the set name
 * without the plus sign), the others are the operators and parentheses.
 */
export interface MatrixToken {
  readonly kind: "name" | "ref" | "and" | "or" | "open" | "close";
  readonly text: string;
  /** Zero-based index (UTF-16 code units) of the token's first character. */
  readonly offset: number;
}

const NAME_CHAR_REGEXP = /^[\p{L}\p{Nd}_.\-]$/u;
const SPACE_REGEXP = /^\s$/u;

const PUNCTUATION: Readonly<Record<string, MatrixToken["kind"]>> = {
  "&": "and",
  "|": "or",
  "(": "open",
  ")": "close",
};

/** True for a character allowed in a name: a letter, a digit, `_ - .`. */
export function isNameChar(char: string): boolean {
  return NAME_CHAR_REGEXP.test(char);
}

/**
 * Splits a swap matrix expression into tokens; whitespace separates tokens
 * and is otherwise ignored.
 *
 * @throws {MatrixSyntaxError} on a character that belongs to no token, or a
 * `+` not directly followed by a set name.
 */
export function tokenize(source: string): MatrixToken[] {
  const tokens: MatrixToken[] = [];
  let at = 0;

  while (at < source.length) {
    const char = charAt(source, at);
    const kind = PUNCTUATION[char];

    if (SPACE_REGEXP.test(char)) {
      at += char.length;
    } else if (kind) {
      tokens.push({ kind, text: char, offset: at });
      at += 1;
    } else if (char === "+") {
      const name = readName(source, at + 1);
      if (name === "") {
        throw new MatrixSyntaxError(
          `"+" at ${at} is not followed by a set name`,
          at,
        );
      }
      tokens.push({ kind: "ref", text: name, offset: at });
      at += 1 + name.length;
    } else if (isNameChar(char)) {
      const name = readName(source, at);
      tokens.push({ kind: "name", text: name, offset: at });
      at += name.length;
    } else {
      throw new MatrixSyntaxError(
        `Unexpected character ${JSON.stringify(char)} at ${at}`,
        at,
      );
    }
  }

  return tokens;
}

/** The longest run of name characters starting at `start`, maybe "". */
function readName(source: string, start: number): string {
  let end = start;
  while (end < source.length) {
    const char = charAt(source, end);
    if (!isNameChar(char)) break;
    end += char.length;
  }
  return source.slice(start, end);
}

/** The whole character (one or two UTF-16 code units) at `index`. */
function charAt(source: string, index: number): string {
  return String.fromCodePoint(source.codePointAt(index)!);
}
