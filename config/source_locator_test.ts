import assert from "node:assert/strict";
import { SourceLocator } from "./source_locator.ts";
import { SourceMap } from "./source_map.ts";

Deno.test("SourceLocator.locate() finds the file of an offset and its line there", () => {
  const locator = new SourceLocator();
  const a = "a: 1\nb: 2\n";
  const b = "c: 3\n";

  const baseA = locator.add("a.yaml", new SourceMap(a), a.length);
  const baseB = locator.add("b.yaml", new SourceMap(b), b.length);

  assert.equal(baseA, 0);
  assert.ok(baseB > a.length);
  assert.deepEqual(locator.locate(5), { file: "a.yaml", line: 2, column: 1 });
  assert.deepEqual(locator.locate(baseB + 3), {
    file: "b.yaml",
    line: 1,
    column: 4,
  });
});
