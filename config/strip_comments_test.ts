import assert from "node:assert/strict";
import { stripCommentLines } from "./strip_comments.ts";

Deno.test("stripCommentLines() keeps a command without comments unchanged", () => {
  assert.equal(
    stripCommentLines("llama-server --port 8080\n-m x.gguf"),
    "llama-server --port 8080\n-m x.gguf",
  );
  assert.equal(stripCommentLines(""), "");
});

Deno.test("stripCommentLines() removes full-line comments, indented ones too", () => {
  assert.equal(stripCommentLines("# c\necho hello"), "echo hello");
  assert.equal(stripCommentLines("a \\\n  # middle\nb"), "a \\\nb");
  assert.equal(stripCommentLines("a\n   # indented\n\tb"), "a\n\tb");
});

Deno.test("stripCommentLines() keeps blank lines and a # after other text", () => {
  assert.equal(
    stripCommentLines("a\n\n# c\nb # not a comment\n"),
    "a\n\nb # not a comment\n",
  );
});

Deno.test("stripCommentLines() turns a command made of comments into empty text", () => {
  assert.equal(stripCommentLines("# one\n# two"), "");
});
