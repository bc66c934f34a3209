import assert from "node:assert/strict";
import { assertOneError, lines, loadOk } from "./test_helpers.ts";

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

Deno.test("loadConfig() type-checks the matrix that use: group leaves inactive", () => {
  const settings = (matrix: string) =>
    lines(
      ...MODELS,
      "routing:",
      "  router:",
      "    use: group",
      "    settings:",
      `      matrix: ${matrix}`,
    );

  assertOneError(
    settings("{sets: [a, b]}"),
    "routing.router.settings.matrix.sets",
    "must be a mapping, got a list",
  );
  assertOneError(
    settings("{sets: {s: {a: 1}}}"),
    "routing.router.settings.matrix.sets.s",
    "must be a matrix expression, got a mapping",
  );
  assertOneError(
    settings("{evict_costs: {gemma: lots}, sets: {s: gemma}}"),
    "routing.router.settings.matrix.evict_costs.gemma",
    'must be a whole number > 0, got "lots"',
  );
  assertOneError(
    settings("{vars: [gemma], sets: {s: gemma}}"),
    "routing.router.settings.matrix.vars",
    "must be a mapping, got a list",
  );
  assertOneError(
    settings("{set: {s: gemma}}"),
    "routing.router.settings.matrix.set",
    'unknown key "set"',
  );
});

Deno.test("loadConfig() leaves an inactive matrix's meaning unchecked", () => {
  const config = loadOk(lines(
    ...MODELS,
    "routing:",
    "  router:",
    "    use: group",
    "    settings:",
    "      matrix:",
    "        vars: {x: not-a-model}",
    "        evict_costs: {x: 0}",
    "        sets: {s: x & nobody, broken: '('}",
  ));

  assert.equal(config.routing.router.use, "group");
});

Deno.test("loadConfig() type-checks the groups that use: matrix leaves inactive", () => {
  const settings = (groups: string) =>
    lines(
      ...MODELS,
      "routing:",
      "  router:",
      "    use: matrix",
      "    settings:",
      "      matrix: {sets: {pair: gemma & voxtral}}",
      `      groups: ${groups}`,
    );

  assertOneError(
    settings("{g1: {swap: maybe, members: [gemma]}}"),
    "routing.router.settings.groups.g1.swap",
    "must be true or false",
  );
  assertOneError(
    settings("{g1: {members: gemma}}"),
    "routing.router.settings.groups.g1.members",
    "must be a list of strings",
  );
  assertOneError(
    settings("{g1: [gemma]}"),
    "routing.router.settings.groups.g1",
    "must be a mapping, got a list",
  );
  const config = loadOk(settings(
    "{g1: {members: [nobody, gemma, gemma]}, g2: {members: [gemma]}}",
  ));
  assert.equal(config.routing.router.use, "matrix");
});
