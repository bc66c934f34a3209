import assert from "node:assert/strict";
import { formatConfigError } from "./errors.ts";
import { type ConfigText, loadConfigTexts, type LoadResult } from "./load.ts";
import { envOf, lines } from "./test_helpers.ts";

/** Loads `files` (name -> lines) merged in the order given. */
function loadFiles(
  files: Record<string, string[]>,
  env: Record<string, string> = {},
): LoadResult {
  const texts: ConfigText[] = Object.entries(files).map(([file, rows]) => ({
    file,
    text: lines(...rows),
  }));
  return loadConfigTexts(texts, { env: envOf(env) });
}

function loadedOk(files: Record<string, string[]>, env = {}) {
  const result = loadFiles(files, env);
  if (!result.ok) {
    assert.fail(result.errors.map(formatConfigError).join("\n"));
  }
  return result.config;
}

function errorLines(files: Record<string, string[]>): string[] {
  const result = loadFiles(files);
  assert.ok(!result.ok, "expected the files to be refused");
  return result.errors.map(formatConfigError);
}

const model = (id: string) => [`  ${id}:`, `    cmd: s --port \${PORT}`];

Deno.test("loadConfigTexts() adds the models of every file", () => {
  const config = loadedOk({
    "a.yaml": ["models:", ...model("alpha")],
    "b.yaml": ["models:", ...model("beta")],
  });

  assert.deepEqual(Object.keys(config.models), ["alpha", "beta"]);
  assert.equal(config.models.alpha?.port, 5800);
  assert.equal(config.models.beta?.port, 5801);
});

Deno.test("loadConfigTexts() refuses the same child of an entity map in two files", () => {
  const cases: [string[], string[], string][] = [
    [
      ["models:", ...model("dup")],
      ["models:", ...model("dup")],
      'b.yaml:2:3: models.dup: duplicate models "dup" found in b.yaml (already defined in another config source)',
    ],
    [
      ["groups: {g1: {members: []}}"],
      ["groups:", "  g1: {members: []}"],
      'b.yaml:2:3: groups.g1: duplicate groups "g1"',
    ],
    [
      ["peers: {remote: {proxy: 'http://127.0.0.1:9', models: [x]}}"],
      ["peers: {remote: {proxy: 'http://127.0.0.1:9', models: [y]}}"],
      'b.yaml:1:9: peers.remote: duplicate peers "remote"',
    ],
    [
      ["selectors: {public: {strategy: warm, targets: [m]}}"],
      ["selectors: {public: {strategy: warm, targets: [m]}}"],
      'duplicate selectors "public"',
    ],
    [
      ["matrix: {sets: {a: m}}"],
      ["matrix: {vars: {x: m}, sets: {b: m}}"],
      'b.yaml:1:24: matrix.sets: duplicate matrix "sets"',
    ],
    [
      ["routing: {router: {settings: {groups: {g: {members: []}}}}}"],
      ["routing: {router: {settings: {groups: {g: {members: []}}}}}"],
      'duplicate routing.router.settings.groups "g"',
    ],
  ];
  for (const [a, b, expected] of cases) {
    const errors = errorLines({
      "base.yaml": ["models:", ...model("m")],
      "a.yaml": a,
      "b.yaml": b,
    });

    assert.equal(errors.length, 1, errors.join("\n"));
    assert.ok(
      errors[0]!.includes(expected),
      `${errors[0]}\nwanted: ${expected}`,
    );
  }
});

Deno.test("loadConfigTexts() merges other mappings key by key", () => {
  const config = loadedOk({
    "a.yaml": ["macros: {LOW: 1}", "routing: {scheduler: {use: fifo}}"],
    "b.yaml": [
      "macros: {HIGH: 2}",
      "routing:",
      "  router:",
      "    settings:",
      "      groups: {g1: {members: [a]}}",
      "models:",
      "  a:",
      "    cmd: s --low ${LOW} --high ${HIGH} --port ${PORT}",
    ],
  });

  assert.deepEqual(config.macros, [
    { name: "LOW", value: 1 },
    { name: "HIGH", value: 2 },
  ]);
  assert.equal(config.models.a?.cmd, "s --low 1 --high 2 --port 5800");
  assert.ok(config.routing.router.use === "group");
  assert.deepEqual(
    config.routing.router.use === "group" &&
      config.routing.router.groups.g1?.members,
    ["a"],
  );
});

Deno.test("loadConfigTexts() adds groups from two files under routing.router.settings", () => {
  const config = loadedOk({
    "a.yaml": [
      "models:",
      ...model("x"),
      ...model("y"),
      "routing: {router: {settings: {groups: {groupA: {members: [x]}}}}}",
    ],
    "b.yaml": [
      "routing: {router: {settings: {groups: {groupB: {members: [y]}}}}}",
    ],
  });

  assert.ok(config.routing.router.use === "group");
  assert.deepEqual(Object.keys(config.routing.router.groups), [
    "groupA",
    "groupB",
    "(default)",
  ]);
});

Deno.test("loadConfigTexts() concatenates lists", () => {
  const config = loadedOk({
    "a.yaml": ["apiKeys: [key-a]", "models:", ...model("m")],
    "b.yaml": ["apiKeys: [key-b]", "hooks: {on_startup: {preload: [m]}}"],
    "c.yaml": ["hooks:", "  on_startup:", "    preload: []"],
  });

  assert.deepEqual(config.apiKeys.map((key) => key.key), ["key-a", "key-b"]);
  assert.deepEqual(config.preload, ["m"]);
});

Deno.test("loadConfigTexts() accepts equal scalars and lets a value replace null", () => {
  const config = loadedOk({
    "a.yaml": ["globalTTL: 100", "logLevel:", "models:"],
    "b.yaml": ["globalTTL: 100", "logLevel: debug", "models:", ...model("m")],
  });

  assert.equal(config.globalTTL, 100);
  assert.equal(config.logLevel, "debug");
  assert.deepEqual(Object.keys(config.models), ["m"]);
});

Deno.test("loadConfigTexts() refuses different scalars and mixed kinds at one path", () => {
  assert.deepEqual(
    errorLines({
      "a.yaml": [
        "globalTTL: 100",
        "startPort: 5800",
        "ui: {activity: {session_id: [a]}}",
      ],
      "b.yaml": [
        "globalTTL: 200",
        "startPort: [5800, 5801]",
        "ui: {activity: {session_id: x}}",
      ],
    }),
    [
      'b.yaml:1:12: globalTTL: conflict at "globalTTL": b.yaml sets a different value than a previous source',
      'b.yaml:2:12: startPort: conflict at "startPort": incompatible YAML node kinds (kind 8 vs 2) introduced by b.yaml',
      'b.yaml:3:29: ui.activity.session_id: conflict at "ui.activity.session_id": incompatible YAML node kinds (kind 2 vs 8) introduced by b.yaml',
    ],
  );
  assert.equal(
    errorLines({ "a.yaml": ["globalTTL: 100"], "b.yaml": ["globalTTL: '100'"] })
      .length,
    1,
  );
});

Deno.test("loadConfigTexts() skips empty and comment-only files", () => {
  const config = loadedOk({
    "empty.yaml": [],
    "a.yaml": ["models:", ...model("m")],
    "comments.yaml": ["# nothing here", "   # nor here"],
  });

  assert.deepEqual(Object.keys(config.models), ["m"]);
  assert.equal(loadedOk({ "empty.yaml": [] }).startPort, 5800);
  assert.deepEqual(Object.keys(loadedOk({}).models), []);
});

Deno.test("loadConfigTexts() substitutes env references in each file before merging", () => {
  const config = loadedOk(
    {
      "a.yaml": ["apiKeys: [${env.TEST_API_KEY}]"],
      "b.yaml": ["models:", "  m:", "    cmd: s ${env.FLAG} --port ${PORT}"],
    },
    { TEST_API_KEY: "sk-test", FLAG: "--fast" },
  );

  assert.deepEqual(config.apiKeys.map((key) => key.key), ["sk-test"]);
  assert.equal(config.models.m?.cmd, "s --fast --port 5800");
});

Deno.test("loadConfigTexts() points every error at the file and line that caused it", () => {
  const result = loadFiles({
    "a.yaml": ["models:", ...model("a"), "    ttl: soon"],
    "b.yaml": ["# b", "models:", ...model("b"), "    unlisted: maybe"],
    "c.yaml": ["models:", "  c:", "    cmd: s ${env.NOPE}"],
  });

  assert.ok(!result.ok);
  assert.deepEqual(result.errors.map(formatConfigError), [
    'c.yaml:3:12: models.c.cmd: environment variable "NOPE" is not set',
  ]);

  const decoded = loadFiles({
    "a.yaml": ["models:", ...model("a"), "    ttl: soon"],
    "b.yaml": ["# b", "models:", ...model("b"), "    unlisted: maybe"],
  });
  assert.ok(!decoded.ok);
  assert.deepEqual(
    decoded.errors.map((e) => [e.file, e.line, e.column, e.path]),
    [
      ["a.yaml", 4, 10, "models.a.ttl"],
      ["b.yaml", 5, 15, "models.b.unlisted"],
    ],
  );
});

Deno.test("loadConfigTexts() merges in the order given, the same every time", () => {
  const files = {
    "a.yaml": ["models:", ...model("zeta")],
    "z.yaml": ["models:", ...model("alpha")],
  };

  const first = loadedOk(files);
  const second = loadedOk(files);

  assert.deepEqual(Object.keys(first.models), ["alpha", "zeta"]);
  assert.equal(first.models.alpha?.port, 5800);
  assert.deepEqual(first, second);
});
