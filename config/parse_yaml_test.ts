import assert from "node:assert/strict";
import { Issues } from "./issues.ts";
import { parseYamlTree } from "./parse_yaml.ts";
import { SourceLocator } from "./source_locator.ts";
import { SourceMap } from "./source_map.ts";
import { entryOf, type YNode, type YScalar } from "./yaml_tree.ts";

function parse(text: string) {
  const issues = new Issues();
  const root = parseYamlTree(text, issues);
  const locator = SourceLocator.of("t.yaml", new SourceMap(text));
  return { root, errors: issues.errors(locator) };
}

function scalar(node: YNode | null | undefined): YScalar {
  assert.ok(node?.kind === "scalar", "expected a scalar");
  return node;
}

Deno.test("parseYamlTree() tells floats written as whole numbers from ints", () => {
  const { root } = parse("a: 1.0\nb: 1\nc: 1e3\nd: 0x1F\ne: -.5\n");

  const read = (key: string) => {
    const node = scalar(root && entryOf(root, key)?.value);
    return [node.value, node.float];
  };
  assert.deepEqual(read("a"), [1, true]);
  assert.deepEqual(read("b"), [1, false]);
  assert.deepEqual(read("c"), [1000, true]);
  assert.deepEqual(read("d"), [31, false]);
  assert.deepEqual(read("e"), [-0.5, true]);
});

Deno.test("parseYamlTree() places merged keys where the merge key stands", () => {
  const { root } = parse(
    "base: &b {x: 1, y: 2}\nm:\n  first: 0\n  <<: *b\n  y: 3\n",
  );

  const merged = root && entryOf(root, "m")?.value;
  assert.ok(merged?.kind === "map");
  assert.deepEqual(merged.entries.map((e) => [e.key, scalar(e.value).value]), [
    ["first", 0],
    ["x", 1],
    ["y", 3],
  ]);
});

Deno.test("parseYamlTree() marks entries whose value declares an anchor", () => {
  const { root } = parse("lib:\n  a: &a 1\nuse: *a\nplain: 2\n");

  assert.deepEqual(root?.entries.map((e) => [e.key, e.definesAnchor]), [
    ["lib", true],
    ["use", false],
    ["plain", false],
  ]);
});

Deno.test("parseYamlTree() records where a one-line string starts", () => {
  const { root } = parse('plain: a & b\nquoted: "c | d"\nescaped: "e\\tf"\n');

  const at = (key: string) =>
    scalar(root && entryOf(root, key)?.value).verbatimAt;
  assert.equal(at("plain"), 7);
  assert.equal(at("quoted"), 22);
  assert.equal(at("escaped"), undefined);
});

Deno.test("parseYamlTree() refuses a merge key that does not name a mapping", () => {
  const { root, errors } = parse("a: &a [1]\nb:\n  <<: *a\n");

  assert.equal(root, null);
  assert.equal(errors.length, 1);
  assert.match(errors[0]?.message ?? "", /merge key needs a mapping/);
});

Deno.test("SourceMap.locate() maps offsets after a longer replacement back", () => {
  const original = "a: ${env.X}\nb: 1\n";
  const map = new SourceMap(original, [{
    start: 3,
    length: 8,
    replacementLength: 20,
  }]);

  assert.deepEqual(map.locate(0), { line: 1, column: 1 });
  assert.deepEqual(map.locate(10), { line: 1, column: 4 });
  assert.deepEqual(map.locate(24), { line: 2, column: 1 });
  assert.deepEqual(map.locate(27), { line: 2, column: 4 });
});

Deno.test("SourceMap.locate() maps offsets through two layers of edits", () => {
  // "a: ${env.X}\nb: 1\n" -> "a: ${env.Y}!!\nb: 1\n" -> "a: yy!!\nb: 1\n"
  const map = new SourceMap(
    "a: ${env.X}\nb: 1\n",
    [{ start: 3, length: 8, replacementLength: 10 }],
    [{ start: 3, length: 8, replacementLength: 2 }],
  );

  assert.deepEqual(map.locate(3), { line: 1, column: 4 });
  assert.deepEqual(map.locate(5), { line: 1, column: 4 });
  assert.deepEqual(map.locate(8), { line: 2, column: 1 });
  assert.deepEqual(map.locate(11), { line: 2, column: 4 });
});
