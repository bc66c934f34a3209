import assert from "node:assert/strict";
import { deletePath, setPath, splitPath } from "./json_path.ts";

Deno.test("splitPath() splits on dots and keeps escaped dots", () => {
  assert.deepEqual(splitPath("a.b\\.c.d"), ["a", "b.c", "d"]);
  assert.deepEqual(splitPath("top_p"), ["top_p"]);
});

Deno.test("setPath() creates nested objects for a dotted key", () => {
  const value: Record<string, unknown> = { a: 1 };

  setPath(value, "chat_template_kwargs.enable_thinking", false);

  assert.deepEqual(value, {
    a: 1,
    chat_template_kwargs: { enable_thinking: false },
  });
});

Deno.test("setPath() replaces a scalar that stands in the way", () => {
  const value: Record<string, unknown> = { a: 5 };

  setPath(value, "a.b", 1);

  assert.deepEqual(value, { a: { b: 1 } });
});

Deno.test("setPath() indexes into an existing array", () => {
  const value: Record<string, unknown> = { stop: ["x", "y"] };

  setPath(value, "stop.1", "z");

  assert.deepEqual(value, { stop: ["x", "z"] });
});

Deno.test("setPath() stores __proto__ as a plain key", () => {
  const value: Record<string, unknown> = {};

  setPath(value, "__proto__.polluted", true);

  assert.equal(({} as Record<string, unknown>)["polluted"], undefined);
  assert.ok(Object.hasOwn(value, "__proto__"));
});

Deno.test("deletePath() removes nested keys and ignores missing ones", () => {
  const value: Record<string, unknown> = { a: { b: 1, c: 2 }, d: 3 };

  deletePath(value, "a.b");
  deletePath(value, "x.y");
  deletePath(value, "d");

  assert.deepEqual(value, { a: { c: 2 } });
});

Deno.test("deletePath() removes an array element by index", () => {
  const value: Record<string, unknown> = { list: [1, 2, 3] };

  deletePath(value, "list.0");

  assert.deepEqual(value, { list: [2, 3] });
});
