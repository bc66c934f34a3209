import assert from "node:assert/strict";
import { MatrixSyntaxError } from "./errors.ts";
import { tokenize } from "./tokenizer.ts";

function kinds(source: string): string[] {
  return tokenize(source).map((t) => `${t.kind}:${t.text}@${t.offset}`);
}

Deno.test("tokenize() splits names, operators and references", () => {
  const tokens = kinds("(g | q)&+base");

  assert.deepEqual(tokens, [
    "open:(@0",
    "name:g@1",
    "or:|@3",
    "name:q@5",
    "close:)@6",
    "and:&@7",
    "ref:base@8",
  ]);
});

Deno.test("tokenize() accepts unicode letters, digits, '_', '-' and '.' in names", () => {
  const tokens = kinds("qwen2.5-coder_7b & modèle");

  assert.deepEqual(tokens, [
    "name:qwen2.5-coder_7b@0",
    "and:&@17",
    "name:modèle@19",
  ]);
});

Deno.test("tokenize() ignores tabs and newlines between tokens", () => {
  assert.deepEqual(kinds("\ta\n|\r\n b "), ["name:a@1", "or:|@3", "name:b@7"]);
});

Deno.test("tokenize() returns no tokens for blank text", () => {
  assert.deepEqual(tokenize("   "), []);
});

Deno.test("tokenize() rejects a character that starts no token, with its offset", () => {
  assert.throws(
    () => tokenize("a @ b"),
    (error: unknown) => {
      assert.ok(error instanceof MatrixSyntaxError);
      assert.ok(error instanceof SyntaxError);
      assert.equal(error.message, 'Unexpected character "@" at 2');
      assert.equal(error.offset, 2);
      return true;
    },
  );
});

Deno.test("tokenize() rejects '/' and ':' because model IDs with them need a var", () => {
  assert.throws(() => tokenize("org/model"), { offset: 3 });
  assert.throws(() => tokenize("qwen:fast"), { offset: 4 });
});

Deno.test("tokenize() reports a character outside the basic plane whole", () => {
  assert.throws(() => tokenize("a 😀"), {
    message: 'Unexpected character "😀" at 2',
    offset: 2,
  });
});

Deno.test("tokenize() rejects a lone '+' and a '+' followed by a space", () => {
  assert.throws(() => tokenize("+"), {
    message: '"+" at 0 is not followed by a set name',
    offset: 0,
  });
  assert.throws(() => tokenize("a & + b"), { offset: 4 });
});
