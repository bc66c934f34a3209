import assert from "node:assert/strict";
import { assertOneError, errorsOf, lines, loadOk } from "./test_helpers.ts";

const MODELS = [
  "models:",
  "  gemma:",
  "    cmd: g --port ${PORT}",
  "  qwen:",
  "    cmd: q --port ${PORT}",
  "    aliases: [q]",
  "  voxtral:",
  "    cmd: v --port ${PORT}",
];

Deno.test("loadConfig() builds the full group layout of a typical config", () => {
  const config = loadOk(lines(
    "healthCheckTimeout: 15",
    "macros: {svr-path: path/to/server}",
    "models:",
    "  model1:",
    "    cmd: s --port ${PORT}",
    "    name: Model 1",
    "    description: The first",
    "    aliases: [m1, model-one]",
    "  model2:",
    "    cmd: ${svr-path} --port ${PORT}",
    "    aliases: [m2]",
    "  model3:",
    "    cmd: s --port ${PORT}",
    "    aliases: [mthree]",
    "  model4:",
    "    cmd: s --port ${PORT}",
    "groups:",
    "  group1:",
    "    swap: true",
    "    exclusive: false",
    "    members: [model2]",
    "  forever:",
    "    exclusive: false",
    "    persistent: true",
    "    members: [model4]",
    "hooks:",
    "  on_startup:",
    "    preload: [model1, model2]",
  ));

  assert.deepEqual(config.routing.router, {
    use: "group",
    groups: {
      group1: {
        swap: true,
        exclusive: false,
        persistent: false,
        members: ["model2"],
      },
      forever: {
        swap: true,
        exclusive: false,
        persistent: true,
        members: ["model4"],
      },
      "(default)": {
        swap: true,
        exclusive: true,
        persistent: false,
        members: ["model1", "model3"],
      },
    },
  });
  assert.deepEqual(config.aliases, {
    m1: "model1",
    "model-one": "model1",
    m2: "model2",
    mthree: "model3",
  });
  assert.deepEqual(config.preload, ["model1", "model2"]);
  assert.equal(config.routing.scheduler.use, "fifo");
  assert.equal(config.models.model2?.cmd, "path/to/server --port 5801");
});

Deno.test("loadConfig() refuses a model listed in two groups or twice in one", () => {
  const twoGroups = lines(
    ...MODELS,
    "groups:",
    "  g1: {members: [gemma]}",
    "  g2: {members: [gemma]}",
  );
  const twice = lines(...MODELS, "groups:", "  g1: {members: [gemma, gemma]}");

  assertOneError(
    twoGroups,
    "groups.g2.members[0]",
    'already a member of group "g1"',
  );
  assertOneError(
    twice,
    "groups.g1.members[1]",
    'model "gemma" is listed twice',
  );
});

Deno.test("loadConfig() refuses group members that are aliases or unknown", () => {
  const alias = assertOneError(
    lines(...MODELS, "groups:", "  g1: {members: [q]}"),
    "groups.g1.members[0]",
    "alias",
  );
  const unknown = assertOneError(
    lines(...MODELS, "groups:", "  g1: {members: [nope]}"),
    "groups.g1.members[0]",
    'unknown model "nope"',
  );

  assert.equal(
    alias.message,
    '"q" is an alias of model "qwen"; list the model ID instead',
  );
  assert.equal(unknown.column, 18);
});

Deno.test("loadConfig() reserves the name of the default group", () => {
  assertOneError(
    lines(...MODELS, "groups:", '  "(default)": {members: [gemma]}'),
    "groups.(default)",
    "is reserved",
  );
});

Deno.test("loadConfig() reads legacy top-level groups as the group router", () => {
  const config = loadOk(
    lines(...MODELS, "groups:", "  g1:", "    members: [gemma, qwen]"),
  );

  assert.equal(config.routing.router.use, "group");
  assert.ok(
    config.routing.router.use === "group" && config.routing.router.groups.g1,
  );
  assert.equal(config.routing.scheduler.use, "fifo");
});

Deno.test("loadConfig() reads routing.router with groups or a matrix", () => {
  const groups = loadOk(lines(
    ...MODELS,
    "routing:",
    "  router:",
    "    use: group",
    "    settings:",
    "      groups: {g1: {swap: false, members: [gemma, qwen]}}",
    "      matrix: {sets: {broken: ')'}}",
  ));
  const matrix = loadOk(lines(
    ...MODELS,
    "routing:",
    "  router:",
    "    use: matrix",
    "    settings:",
    "      matrix: {sets: {pair: gemma & voxtral}}",
  ));

  assert.deepEqual(groups.routing.router, {
    use: "group",
    groups: {
      g1: {
        swap: false,
        exclusive: true,
        persistent: false,
        members: ["gemma", "qwen"],
      },
      "(default)": {
        swap: true,
        exclusive: true,
        persistent: false,
        members: ["voxtral"],
      },
    },
  });
  assert.deepEqual(matrix.routing.router, {
    use: "matrix",
    matrix: {
      vars: {},
      evictCosts: {},
      sets: [{ name: "pair", dsl: "gemma & voxtral" }],
    },
  });
});

Deno.test("loadConfig() defaults to the group router and fifo scheduler", () => {
  const config = loadOk(lines(...MODELS));

  assert.deepEqual(config.routing, {
    router: {
      use: "group",
      groups: {
        "(default)": {
          swap: true,
          exclusive: true,
          persistent: false,
          members: ["gemma", "qwen", "voxtral"],
        },
      },
    },
    scheduler: { use: "fifo", priority: {}, maxWait: 60 },
  });
});

Deno.test("loadConfig() refuses legacy keys next to routing.router", () => {
  const text = lines(
    ...MODELS,
    "groups: {g1: {members: [gemma]}}",
    "routing:",
    "  router:",
    "    use: group",
  );

  assertOneError(
    text,
    "routing.router",
    "move them into routing.router.settings",
  );
});

Deno.test("loadConfig() refuses bad router and scheduler choices", () => {
  assertOneError(
    lines(...MODELS, "routing: {router: {use: matrix}}"),
    "routing.router.use",
    "routing.router.settings.matrix is not set",
  );
  assertOneError(
    lines(...MODELS, "routing: {router: {use: bogus}}"),
    "routing.router.use",
    'must be "group" or "matrix", got "bogus"',
  );
  assertOneError(
    lines(...MODELS, "routing: {scheduler: {use: lifo}}"),
    "routing.scheduler.use",
    'must be "fifo", got "lifo"',
  );
});

Deno.test("loadConfig() stores fifo priorities by real model ID", () => {
  const config = loadOk(lines(
    ...MODELS,
    "routing:",
    "  scheduler:",
    "    settings:",
    "      fifo:",
    "        priority: {gemma: 5, q: 2}",
    "        maxWait: 12.5",
  ));

  assert.deepEqual(config.routing.scheduler.priority, { gemma: 5, qwen: 2 });
  assert.equal(config.routing.scheduler.maxWait, 12.5);
  assertOneError(
    lines(
      ...MODELS,
      "routing: {scheduler: {settings: {fifo: {priority: {nope: 5}}}}}",
    ),
    "routing.scheduler.settings.fifo.priority.nope",
    'unknown model "nope"',
  );
  assertOneError(
    lines(...MODELS, "routing: {scheduler: {settings: {fifo: {maxWait: -1}}}}"),
    "routing.scheduler.settings.fifo.maxWait",
    "got -1",
  );
});

Deno.test("loadConfig() refuses top-level groups together with a matrix", () => {
  const text = lines(
    ...MODELS,
    "groups: {g1: {members: [gemma]}}",
    "matrix: {sets: {all: gemma}}",
  );

  assertOneError(
    text,
    "matrix",
    'cannot be used together with top-level "groups"',
  );
});

Deno.test("loadConfig() builds a matrix from vars, costs and ordered sets", () => {
  const config = loadOk(lines(
    ...MODELS,
    "matrix:",
    "  vars: {g: gemma, q: qwen, v: voxtral}",
    "  evict_costs: {v: 50, gemma: 3}",
    "  sets:",
    '    standard: "(g | q) & v"',
    '    solo: "q"',
    '    alias_free: "gemma & voxtral"',
  ));

  assert.deepEqual(config.routing.router, {
    use: "matrix",
    matrix: {
      vars: { g: "gemma", q: "qwen", v: "voxtral" },
      evictCosts: { v: 50, gemma: 3 },
      sets: [
        { name: "standard", dsl: "(g | q) & v" },
        { name: "solo", dsl: "q" },
        { name: "alias_free", dsl: "gemma & voxtral" },
      ],
    },
  });
});

Deno.test("loadConfig() points a matrix expression error at its character", () => {
  const text = lines(
    ...MODELS,
    "matrix:",
    "  vars: {g: gemma}",
    "  sets:",
    '    broken: "g & nonexistent"',
  );

  const error = assertOneError(text, "matrix.sets.broken", "nonexistent");

  assert.equal(error.line, 12);
  assert.equal(error.column, 18);
});

Deno.test("loadConfig() reports matrix var and cost problems at their keys", () => {
  const badVar = assertOneError(
    lines(
      ...MODELS,
      "matrix:",
      "  vars: {ok: gemma, x: nope}",
      "  sets: {s: ok}",
    ),
    "matrix.vars.x",
    "nope",
  );
  const aliasVar = assertOneError(
    lines(...MODELS, "matrix:", "  vars: {x: q}", "  sets: {s: x}"),
    "matrix.vars.x",
    "use the model ID",
  );
  const zeroCost = assertOneError(
    lines(
      ...MODELS,
      "matrix:",
      "  evict_costs: {gemma: 0}",
      "  sets: {s: gemma}",
    ),
    "matrix.evict_costs.gemma",
    "must be a whole number > 0, got 0",
  );
  const unknownCost = errorsOf(
    lines(...MODELS, "matrix:", "  evict_costs: {zz: 2}", "  sets: {s: gemma}"),
  );

  assert.equal(badVar.line, 10);
  assert.equal(
    aliasVar.message,
    '"q" is an alias of model "qwen"; use the model ID',
  );
  assert.equal(zeroCost.line, 10);
  assert.equal(unknownCost.length, 1);
  assert.equal(unknownCost[0]?.path, "matrix.evict_costs");
  assert.match(unknownCost[0]?.message ?? "", /zz/);
});

Deno.test("loadConfig() refuses set references that are missing or circular", () => {
  const missing = errorsOf(
    lines(...MODELS, "matrix: {sets: {a: +nonexistent}}"),
  );
  const circular = errorsOf(
    lines(...MODELS, "matrix:", "  sets:", '    a: "+b"', '    b: "+a"'),
  );
  const empty = errorsOf(lines(...MODELS, "matrix: {}"));

  assert.equal(missing.length, 1);
  assert.equal(missing[0]?.path, "matrix.sets.a");
  assert.equal(circular.length, 1);
  assert.match(circular[0]?.path ?? "", /^matrix\.sets\.[ab]$/);
  assert.equal(empty.length, 1);
  assert.equal(empty[0]?.path, "matrix");
});

Deno.test("loadConfig() refuses a matrix whose sets are not a mapping", () => {
  assertOneError(
    lines(...MODELS, "matrix: {sets: [gemma]}"),
    "matrix.sets",
    "must be a mapping",
  );
});
