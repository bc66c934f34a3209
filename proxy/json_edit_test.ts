import assert from "node:assert/strict";
import { deleteInText, setInText } from "./json_edit.ts";

const set = (text: string, path: string, value: unknown) =>
  setInText(text, path.split("."), JSON.stringify(value));
const del = (text: string, path: string) => deleteInText(text, path.split("."));

Deno.test("setInText() leaves numbers and spacing it does not edit as written", () => {
  const text = '{ "model": "a",\n  "seed": 12345678901234567890, "t": 1.0, ' +
    '"big": 1e400, "s": "\\u00e9" }';

  const out = set(text, "model", "b");

  assert.equal(
    out,
    '{ "model": "b",\n  "seed": 12345678901234567890, "t": 1.0, ' +
      '"big": 1e400, "s": "\\u00e9" }',
  );
});

Deno.test("setInText() adds a missing key at the end, with objects for a dotted path", () => {
  assert.equal(set('{"a":1}', "top_p", 0.5), '{"a":1,"top_p":0.5}');
  assert.equal(set("{ }", "a", 1), '{"a":1}');
  assert.equal(
    set('{"a":1}', "chat_template_kwargs.enable_thinking", false),
    '{"a":1,"chat_template_kwargs":{"enable_thinking":false}}',
  );
  assert.equal(set('{"k":{"x":1}}', "k.y", [1, 2]), '{"k":{"x":1,"y":[1,2]}}');
});

Deno.test("setInText() replaces a value of any kind, and a scalar in the way", () => {
  assert.equal(
    set('{"a":{"deep":[1,{"x":"}"}]},"b":2}', "a", 3),
    '{"a":3,"b":2}',
  );
  assert.equal(set('{"a":5}', "a.b", 1), '{"a":{"b":1}}');
  assert.equal(set('{"a":"x\\"y","b":2}', "b", null), '{"a":"x\\"y","b":null}');
});

Deno.test("setInText() indexes into an array that is there, and appends at its end", () => {
  assert.equal(set('{"stop":["x","y"]}', "stop.1", "z"), '{"stop":["x","z"]}');
  assert.equal(set('{"stop":["x"]}', "stop.1", "z"), '{"stop":["x","z"]}');
  assert.equal(set('{"stop":[]}', "stop.0", "z"), '{"stop":["z"]}');
  assert.equal(set('{"stop":["x"]}', "stop.5", "z"), '{"stop":["x"]}');
  assert.equal(set('{"stop":["x"]}', "stop.k", "z"), '{"stop":["x"]}');
});

Deno.test("setInText() sets the last of repeated keys, the one parsers keep", () => {
  const out = set('{"a":1,"a":2}', "a", 3);

  assert.equal(out, '{"a":1,"a":3}');
  assert.deepEqual(JSON.parse(out), { a: 3 });
});

Deno.test("setInText() writes __proto__ as a plain key", () => {
  const out = set("{}", "__proto__.polluted", true);

  assert.equal(out, '{"__proto__":{"polluted":true}}');
  assert.equal(({} as Record<string, unknown>)["polluted"], undefined);
});

Deno.test("deleteInText() removes a member and one comma, wherever it is", () => {
  assert.equal(del('{"a":1, "b":2, "c":3}', "a"), '{"b":2, "c":3}');
  assert.equal(del('{"a":1, "b":2, "c":3}', "b"), '{"a":1, "c":3}');
  assert.equal(del('{"a":1, "b":2, "c":3}', "c"), '{"a":1, "b":2}');
  assert.equal(del('{ "a": 1 }', "a"), "{  }");
});

Deno.test("deleteInText() removes nested keys and every repeat, and ignores missing ones", () => {
  const text = '{"a":{"b":1,"c":2},"d":3,"d":4,"e":5}';

  const out = del(del(del(text, "a.b"), "x.y"), "d");

  assert.equal(out, '{"a":{"c":2},"e":5}');
  assert.equal(del('{"a":5}', "a.b"), '{"a":5}');
});

Deno.test("deleteInText() removes 50,000 repeats of a key in one pass", () => {
  // Removing one repeat at a time copied the text each time: a 750 KB
  // body of repeats took minutes and ran the process out of memory.
  const repeats = '"temperature":1,'.repeat(50_000);
  const text = `{"model":"m1",${repeats}"top_k":5, "temperature":2}`;

  assert.equal(del(text, "temperature"), '{"model":"m1","top_k":5}');
  assert.equal(del('{"a":1,"a":2,"b":3,"a":4}', "a"), '{"b":3}');
  assert.equal(del('{"b":1, "a":2, "c":3, "a":4}', "a"), '{"b":1, "c":3}');
});

Deno.test("deleteInText() removes an array element by index", () => {
  assert.equal(del('{"list":[1,2,3]}', "list.0"), '{"list":[2,3]}');
  assert.equal(del('{"list":[1,2,3]}', "list.2"), '{"list":[1,2]}');
  assert.equal(del('{"list":[1]}', "list.3"), '{"list":[1]}');
  assert.equal(
    del('{"list":[{"x":1,"y":2}]}', "list.0.y"),
    '{"list":[{"x":1}]}',
  );
});
