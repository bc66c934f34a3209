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
