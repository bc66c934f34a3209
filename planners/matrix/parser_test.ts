import assert from "node:assert/strict";
import { MatrixSyntaxError } from "./errors.ts";
import {
  type MatrixExpr,
  MAX_NESTING,
  parseMatrixExpression,
} from "./parser.ts";

/** The tree written back as text, fully parenthesised. */
function show(tree: MatrixExpr): string {
  switch (tree.kind) {
    case "name":
      return tree.name;
    case "ref":
      return `+${tree.set}`;
    case "any":
      return `(${tree.of.map(show).join(" | ")})`;
    case "all":
      return `(${tree.of.map(show).join(" & ")})`;
  }
}

function parseError(source: string): MatrixSyntaxError {
  try {
    parseMatrixExpression(source);
  } catch (error) {
    if (error instanceof MatrixSyntaxError) return error;
    throw error;
  }
  throw new Error(`Expected ${JSON.stringify(source)} to fail`);
}

Deno.test("parseMatrixExpression() reads a single name", () => {
  assert.deepEqual(parseMatrixExpression(" gemma "), {
    kind: "name",
    name: "gemma",
    offset: 1,
  });
});

Deno.test("parseMatrixExpression() binds '&' tighter than '|'", () => {
  assert.equal(show(parseMatrixExpression("a | b & c")), "(a | (b & c))");
  assert.equal(show(parseMatrixExpression("a & b | c")), "((a & b) | c)");
});

Deno.test("parseMatrixExpression() keeps chains of one operator flat", () => {
  assert.equal(show(parseMatrixExpression("a | b | c")), "(a | b | c)");
  assert.equal(show(parseMatrixExpression("a&b&c")), "(a & b & c)");
});

Deno.test("parseMatrixExpression() honours parentheses and references", () => {
  const tree = parseMatrixExpression("(g | q | m) & +voice & ((v))");

  assert.equal(show(tree), "((g | q | m) & +voice & v)");
});

Deno.test("parseMatrixExpression() rejects empty and blank text at offset 0", () => {
  for (const source of ["", "  \n"]) {
    const error = parseError(source);

    assert.equal(error.message, "Expression is empty");
    assert.equal(error.offset, 0);
  }
});

Deno.test("parseMatrixExpression() reports a missing ')' at the end of the text", () => {
  const error = parseError("(a");

  assert.equal(error.message, 'Missing ")" for the "(" at 0');
  assert.equal(error.offset, 2);
});

Deno.test("parseMatrixExpression() reports a token where ')' was expected", () => {
  const error = parseError("(a b)");

  assert.equal(
    error.message,
    'Unexpected "b" at 3, expected ")" for the "(" at 0',
  );
  assert.equal(error.offset, 3);
});

Deno.test("parseMatrixExpression() rejects a stray ')' after an expression", () => {
  const error = parseError("a)");

  assert.equal(
    error.message,
    'Unexpected ")" at 1 after a complete expression',
  );
  assert.equal(error.offset, 1);
});

Deno.test("parseMatrixExpression() rejects two names side by side", () => {
  const error = parseError("a +b");

  assert.equal(
    error.message,
    'Unexpected "+b" at 2 after a complete expression',
  );
  assert.equal(error.offset, 2);
});

Deno.test("parseMatrixExpression() rejects empty parentheses", () => {
  const error = parseError("()");

  assert.equal(
    error.message,
    'Unexpected ")" at 1, expected a name, "+set" or "("',
  );
  assert.equal(error.offset, 1);
});

Deno.test("parseMatrixExpression() rejects a missing operand", () => {
  assert.equal(parseError("| a").offset, 0);
  assert.equal(parseError("a & | b").offset, 4);

  const error = parseError("a &");
  assert.equal(
    error.message,
    'Expression ends at 3, expected a name, "+set" or "("',
  );
  assert.equal(error.offset, 3);
});

Deno.test("parseMatrixExpression() passes tokenizer errors through", () => {
  assert.equal(parseError("+").offset, 0);
  assert.equal(parseError("a @ b").message, 'Unexpected character "@" at 2');
});

Deno.test("parseMatrixExpression() accepts parentheses nested to the limit", () => {
  const source = "(".repeat(MAX_NESTING) + "a" + ")".repeat(MAX_NESTING);

  assert.deepEqual(parseMatrixExpression(source), {
    kind: "name",
    name: "a",
    offset: MAX_NESTING,
  });
});

Deno.test("parseMatrixExpression() rejects parentheses nested past the limit", () => {
  const depth = MAX_NESTING + 1;
  const source = "(".repeat(depth) + "a" + ")".repeat(depth);

  const error = parseError(source);

  assert.equal(
    error.message,
    `Parentheses nest deeper than ${MAX_NESTING} at ${MAX_NESTING}`,
  );
  assert.equal(error.offset, MAX_NESTING);
});
