import assert from "node:assert/strict";
import { splitPath } from "./json_path.ts";

Deno.test("splitPath() splits on dots and keeps escaped dots", () => {
  assert.deepEqual(splitPath("a.b\\.c.d"), ["a", "b.c", "d"]);
  assert.deepEqual(splitPath("top_p"), ["top_p"]);
});
