import { MatrixSyntaxError } from "./errors.ts";
import { type MatrixToken, tokenize } from "./tokenizer.ts";

/**
 * The syntax tree of one swap matrix expression.
 *
 * `any` lists alternatives (`|`), `all` lists parts that run together
 * (`&`); both hold two or more items. `name` is a var or model name as
 * written, `ref` names another set. Offsets index the expression text.
 */
export type MatrixExpr =
  | { readonly kind: "name"; readonly name: string; readonly offset: number }
  | { readonly kind: "ref"; readonly set: string; readonly offset: number }
  | { readonly kind: "any"; readonly of: readonly MatrixExpr[] }
  | { readonly kind: "all"; readonly of: readonly MatrixExpr[] };

const ATOM_START = 'a name, "+set" or "("';

/** Deepest parenthesis nesting accepted, which keeps recursion shallow. */
export const MAX_NESTING = 100;

/**
 * Parses a swap matrix expression such as `(g | q) & whisper | +big`.
 *
 * Grammar, where `&` binds tighter than `|`:
 *
 * ```text
 * expr := all ("|" all)*
 * all  := atom ("&" atom)*
 * atom := name | "+" name | "(" expr ")"
 * ```
 *
 * @example
 * ```ts
 * const tree = parseMatrixExpression("a | b & c");
 * // { kind: "any", of: [a, { kind: "all", of: [b, c] }] }
 * ```
 *
 * Parentheses may nest at most `MAX_NESTING` deep.
 *
 * @throws {MatrixSyntaxError} with the offset of the offending text.
 */
export function parseMatrixExpression(source: string): MatrixExpr {
  const tokens = tokenize(source);
  if (tokens.length === 0) {
    throw new MatrixSyntaxError("Expression is empty", 0);
  }

  const parser = new Parser(tokens, source.length);
  const tree = parser.parseAny();

  const extra = parser.peek();
  if (extra) {
    throw new MatrixSyntaxError(
      `Unexpected ${
        quote(extra)
      } at ${extra.offset} after a complete expression`,
      extra.offset,
    );
  }
  return tree;
}

/** A recursive-descent parser over a token list; one method per rule. */
class Parser {
  #tokens: readonly MatrixToken[];
  #end: number;
  #next = 0;
  #depth = 0;

  constructor(tokens: readonly MatrixToken[], end: number) {
    this.#tokens = tokens;
    this.#end = end;
  }

  peek(): MatrixToken | undefined {
    return this.#tokens[this.#next];
  }

  parseAny(): MatrixExpr {
    const items = [this.parseAll()];
    while (this.peek()?.kind === "or") {
      this.#next++;
      items.push(this.parseAll());
    }
    return items.length === 1 ? items[0]! : { kind: "any", of: items };
  }

  parseAll(): MatrixExpr {
    const items = [this.parseAtom()];
    while (this.peek()?.kind === "and") {
      this.#next++;
      items.push(this.parseAtom());
    }
    return items.length === 1 ? items[0]! : { kind: "all", of: items };
  }

  parseAtom(): MatrixExpr {
    const token = this.peek();
    if (!token) {
      throw new MatrixSyntaxError(
        `Expression ends at ${this.#end}, expected ${ATOM_START}`,
        this.#end,
      );
    }
    this.#next++;

    switch (token.kind) {
      case "name":
        return { kind: "name", name: token.text, offset: token.offset };
      case "ref":
        return { kind: "ref", set: token.text, offset: token.offset };
      case "open":
        return this.#finishGroup(token);
      default:
        throw new MatrixSyntaxError(
          `Unexpected ${
            quote(token)
          } at ${token.offset}, expected ${ATOM_START}`,
          token.offset,
        );
    }
  }

  /** Parses the inside of `( ... )` after the opening token. */
  #finishGroup(open: MatrixToken): MatrixExpr {
    if (++this.#depth > MAX_NESTING) {
      throw new MatrixSyntaxError(
        `Parentheses nest deeper than ${MAX_NESTING} at ${open.offset}`,
        open.offset,
      );
    }
    const inner = this.parseAny();
    this.#depth--;
    const close = this.peek();

    if (!close) {
      throw new MatrixSyntaxError(
        `Missing ")" for the "(" at ${open.offset}`,
        this.#end,
      );
    }
    if (close.kind !== "close") {
      throw new MatrixSyntaxError(
        `Unexpected ${
          quote(close)
        } at ${close.offset}, expected ")" for the "(" at ${open.offset}`,
        close.offset,
      );
    }
    this.#next++;
    return inner;
  }
}

/** A token as the user wrote it, quoted for a message. */
function quote(token: MatrixToken): string {
  return JSON.stringify(token.kind === "ref" ? `+${token.text}` : token.text);
}
