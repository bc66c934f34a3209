import assert from "node:assert/strict";
import { sanitizeStripParams } from "./filters.ts";
import { assertOneError, lines, loadOk } from "./test_helpers.ts";

const ONE_MODEL = ["models:", "  m:", "    cmd: s --port ${PORT}"];

Deno.test("loadConfig() keeps stripParams as written and sanitises the list", () => {
  for (const key of ["stripParams", "strip_params"]) {
    const config = loadOk(lines(
      "macros:",
      '  default_strip: "temperature, top_p"',
      ...ONE_MODEL,
      "    filters:",
      `      ${key}: "model, top_k, top_k, temperature, \${default_strip}, , ,"`,
    ));

    const filters = config.models.m?.filters;
    assert.equal(
      filters?.stripParams,
      "model, top_k, top_k, temperature, temperature, top_p, , ,",
    );
    assert.deepEqual(filters?.strip, ["temperature", "top_k", "top_p"]);
  }
});

Deno.test("loadConfig() accepts strip_params beside stripParams and ignores it", () => {
  const config = loadOk(lines(
    ...ONE_MODEL,
    "    filters:",
    "      stripParams: top_k",
    "      strip_params: temperature",
  ));

  assert.equal(config.models.m?.filters.stripParams, "top_k");
  assert.deepEqual(config.models.m?.filters.strip, ["top_k"]);
});

Deno.test("loadConfig() type-checks strip_params even when stripParams wins", () => {
  assertOneError(
    lines(
      ...ONE_MODEL,
      "    filters:",
      "      stripParams: top_k",
      "      strip_params: [temperature]",
    ),
    "models.m.filters.strip_params",
    "must be a string",
  );
});

Deno.test("loadConfig() knows strip_params only in a model's filters, not a peer's", () => {
  assertOneError(
    lines(
      "peers:",
      "  p:",
      "    proxy: http://127.0.0.1:9",
      "    models: [x]",
      "    filters:",
      "      strip_params: temperature",
    ),
    "peers.p.filters.strip_params",
    'unknown key "strip_params"',
  );
});

Deno.test("loadConfig() drops model from setParams and setParamsByID", () => {
  const config = loadOk(lines(
    ...ONE_MODEL,
    "    filters:",
    "      setParams: {temperature: 0.7, top_p: 0.9, stop: [a, b], model: x}",
    "      setParamsByID:",
    "        m: {model: y, seed: 1}",
  ));

  assert.deepEqual(config.models.m?.filters.setParams, {
    temperature: 0.7,
    top_p: 0.9,
    stop: ["a", "b"],
  });
  assert.deepEqual(config.models.m?.filters.setParamsByID, { m: { seed: 1 } });
});

Deno.test("loadConfig() keeps 64-bit integers in setParams and metadata exact, as Go does", () => {
  const config = loadOk(lines(
    ...ONE_MODEL,
    "    metadata: {id: 18446744073709551615}",
    "    filters:",
    "      setParams:",
    "        seed: 9_007_199_254_740_993",
    "        low: -0x7FFFFFFFFFFFFFFF",
    "        lowest: -9223372036854775808",
    "        small: 12",
  ));

  assert.equal(
    JSON.stringify(config.models.m?.filters.setParams),
    '{"seed":9007199254740993,"low":-9223372036854775807,' +
      '"lowest":-9223372036854775808,"small":12}',
  );
  assert.equal(
    JSON.stringify(config.models.m?.metadata),
    '{"id":18446744073709551615}',
  );
});

Deno.test("loadConfig() keeps a 64-bit integer exact when a macro carries it", () => {
  const config = loadOk(lines(
    "macros:",
    "  big: 9007199254740993",
    "models:",
    "  m:",
    "    cmd: s --port ${PORT} --seed ${big}",
    "    metadata: {seed: '${big}'}",
    "    filters:",
    "      setParams: {seed: '${big}'}",
  ));

  assert.match(config.models.m!.cmd, /--seed 9007199254740993$/);
  assert.equal(
    JSON.stringify(config.models.m?.metadata),
    '{"seed":9007199254740993}',
  );
  assert.equal(
    JSON.stringify(config.models.m?.filters.setParams),
    '{"seed":9007199254740993}',
  );
});

Deno.test("sanitizeStripParams() trims, deduplicates, sorts and drops model", () => {
  assert.deepEqual(sanitizeStripParams(""), []);
  assert.deepEqual(sanitizeStripParams("temperature"), ["temperature"]);
  assert.deepEqual(sanitizeStripParams("top_p, temperature, top_k"), [
    "temperature",
    "top_k",
    "top_p",
  ]);
  assert.deepEqual(sanitizeStripParams("model"), []);
  assert.deepEqual(sanitizeStripParams("  a ,a,, b  ,"), ["a", "b"]);
});
