/**
 * The config loader against generated input: random YAML documents shaped
 * roughly like configs, and random mutations of the example configs. It
 * must never throw, and every error must carry a position inside the text.
 */
import assert from "node:assert/strict";
import { stringify } from "yaml";
import { Prng } from "../bench/mod.ts";
import { loadConfig, type LoadResult } from "../config/mod.ts";

const EXAMPLES = ["a", "b", "c", "d"].map((name) =>
  Deno.readTextFileSync(
    new URL(`../config/testdata/example_${name}.yaml`, import.meta.url),
  )
);

const TOP_KEYS = [
  "models",
  "healthCheckTimeout",
  "logLevel",
  "startPort",
  "globalTTL",
  "macros",
  "apiKeys",
  "groups",
  "matrix",
  "routing",
  "hooks",
  "peers",
  "profiles",
  "selectors",
  "upstream",
  "requestBodyLimitMB",
  "sendLoadingState",
  "loadingStateFormat",
  "nonsense",
];
const MODEL_KEYS = [
  "cmd",
  "cmdStop",
  "proxy",
  "aliases",
  "env",
  "ttl",
  "unloadTimeout",
  "checkEndpoint",
  "filters",
  "macros",
  "useModelName",
  "concurrencyLimit",
  "metadata",
  "capabilities",
  "name",
  "typo",
];
const STRINGS = [
  "",
  "llama-server --port ${PORT} -m /m.gguf",
  "http://127.0.0.1:${PORT}",
  "${PORT}",
  "${MODEL_ID}",
  "${undefined_macro}",
  "${env.LLAMA_SWAP_FUZZ_UNSET}",
  "${",
  "}",
  "a: b",
  "- x",
  "#",
  "&anchor",
  "*alias",
  "<<",
  "10s",
  "-1",
  "1e309",
  "ünïcödé",
  "\t",
  "'quoted'",
  '"double"',
  "group(a, b)",
  "a & (b | c",
  "swap",
];

/** A random value: scalar, list or map, up to `depth` levels deep. */
function randomValue(prng: Prng, depth: number, keys: string[]): unknown {
  const roll = prng.int(depth > 0 ? 9 : 6);
  switch (roll) {
    case 0:
      return prng.int(200_000) - 1000;
    case 1:
      return prng.next() * 100;
    case 2:
      return prng.chance(0.5);
    case 3:
      return null;
    case 4:
    case 5:
      return prng.pick(STRINGS);
    case 6:
      return Array.from(
        { length: prng.int(4) },
        () => randomValue(prng, depth - 1, keys),
      );
    default: {
      const map: Record<string, unknown> = {};
      for (let i = prng.int(5); i > 0; i--) {
        const key = prng.chance(0.7) ? prng.pick(keys) : prng.pick(STRINGS);
        map[key] = randomValue(prng, depth - 1, MODEL_KEYS);
      }
      return map;
    }
  }
}

/** A config-like document: top-level keys with random values. */
function randomDocument(prng: Prng): string {
  const doc: Record<string, unknown> = {};
  for (let i = prng.int(6); i >= 0; i--) {
    doc[prng.pick(TOP_KEYS)] = randomValue(prng, 3, MODEL_KEYS);
  }
  if (prng.chance(0.6)) {
    const models: Record<string, unknown> = {};
    for (let i = prng.int(4); i > 0; i--) {
      models[`m${prng.int(5)}`] = randomValue(prng, 2, MODEL_KEYS);
    }
    doc["models"] = models;
  }
  const text = stringify(doc);
  return prng.chance(0.2) ? damage(prng, text) : text;
}

/** One random edit of `text`'s lines or characters. */
function damage(prng: Prng, text: string): string {
  const lines = text.split("\n");
  const at = prng.int(lines.length);
  switch (prng.int(8)) {
    case 0:
      lines.splice(at, 1);
      break;
    case 1:
      lines.splice(at, 0, lines[prng.int(lines.length)] ?? "");
      break;
    case 2: {
      const other = prng.int(lines.length);
      [lines[at], lines[other]] = [lines[other] ?? "", lines[at] ?? ""];
      break;
    }
    case 3:
      lines[at] = " ".repeat(prng.int(5)) + (lines[at] ?? "").trimStart();
      break;
    case 4:
      lines[at] = (lines[at] ?? "").replace(/: .*$/, `: ${prng.pick(STRINGS)}`);
      break;
    case 5: {
      const line = lines[at] ?? "";
      const cut = prng.int(line.length + 1);
      const junk = prng.pick([
        ":",
        "-",
        "[",
        "{",
        "\t",
        "'",
        '"',
        "&",
        "*",
        "%",
        "\0",
      ]);
      lines[at] = line.slice(0, cut) + junk + line.slice(cut);
      break;
    }
    case 6:
      return text.slice(0, prng.int(text.length + 1));
    default:
      lines[at] = `${prng.pick(TOP_KEYS)}: ${prng.pick(STRINGS)}`;
  }
  return lines.join("\n");
}

/** Fails unless `result` is a config or errors positioned inside `text`. */
function assertWellFormed(
  result: LoadResult,
  text: string,
  label: string,
): void {
  if (result.ok) return;
  assert.ok(result.errors.length > 0, `${label}: failed without errors`);
  const lineCount = text.split("\n").length;
  for (const error of result.errors) {
    const where = `${label}: ${JSON.stringify(error)}`;
    assert.ok(Number.isInteger(error.line) && error.line >= 1, where);
    assert.ok(error.line <= lineCount + 1, where);
    assert.ok(Number.isInteger(error.column) && error.column >= 1, where);
    assert.ok(error.message.trim().length > 0, where);
  }
}

/** No environment, so `${env.X}` behaves the same on every machine. */
const noEnv = { env: () => undefined };

Deno.test("loadConfig() answers 2,000 random config-shaped documents without throwing", () => {
  const prng = new Prng(3000);
  let loaded = 0;

  for (let i = 0; i < 2000; i++) {
    const text = randomDocument(prng);
    const result = loadConfig(text, noEnv);
    assertWellFormed(result, text, `document ${i}`);
    if (result.ok) loaded++;
  }

  assert.ok(loaded > 0, "no generated document was a valid config");
});

Deno.test("loadConfig() answers 2,000 mutations of the example configs without throwing", () => {
  const prng = new Prng(4000);
  let failed = 0;

  for (let i = 0; i < 2000; i++) {
    let text = prng.pick(EXAMPLES);
    for (let edits = 1 + prng.int(3); edits > 0; edits--) {
      text = damage(prng, text);
    }
    const result = loadConfig(text, noEnv);
    assertWellFormed(result, text, `mutation ${i}`);
    if (!result.ok) failed++;
  }

  assert.ok(failed > 0, "no mutation broke an example");
});
