import assert from "node:assert/strict";
import { assertOneError, lines, loadOk } from "./test_helpers.ts";

const BASE = [
  "models:",
  "  a:",
  "    cmd: s --port ${PORT}",
  "    aliases: [alias-a]",
  "    filters: {setParamsByID: {variant: {x: 1}}}",
  "  b:",
  "    cmd: s --port ${PORT}",
  "peers:",
  "  remote:",
  "    proxy: http://remote",
  "    models: [remote-model]",
];

const SWAP_FREE = ["groups:", "  balanced: {swap: false, members: [a, b]}"];

Deno.test("loadConfig() reads selectors with their defaults", () => {
  const config = loadOk(lines(
    ...BASE,
    ...SWAP_FREE,
    "selectors:",
    "  coding:",
    "    strategy: warm",
    "    targets: [a, b]",
    "    name: Coding",
    "    description: Picks a warm coder",
    "    unlisted: true",
    "    metadata: {family: code}",
    "  workers:",
    "    strategy: spillover",
    "    targets: [a, b]",
  ));

  assert.deepEqual(config.selectors.coding, {
    id: "coding",
    strategy: "warm",
    targets: ["a", "b"],
    spillover: 1,
    name: "Coding",
    description: "Picks a warm coder",
    unlisted: true,
    metadata: { family: "code" },
  });
  assert.equal(config.selectors.workers?.spillover, 1);
});

Deno.test("loadConfig() refuses selector names taken by models and aliases", () => {
  const selector = (name: string) =>
    lines(...BASE, "selectors:", `  ${name}: {strategy: pin, targets: [b]}`);

  assertOneError(selector('" "'), 'selectors." "', "cannot be empty");
  assertOneError(
    selector("a"),
    "selectors.a",
    'selector name "a" is already a model ID',
  );
  assertOneError(
    selector("alias-a"),
    "selectors.alias-a",
    "already a model alias",
  );
  assertOneError(
    selector("variant"),
    "selectors.variant",
    "already a model alias",
  );
});

Deno.test("loadConfig() refuses a selector without a valid strategy or targets", () => {
  assertOneError(
    lines(...BASE, "selectors:", "  s: {targets: [a]}"),
    "selectors.s.strategy",
    "is required",
  );
  assertOneError(
    lines(...BASE, "selectors:", "  s: {strategy: random, targets: [a]}"),
    "selectors.s.strategy",
    'got "random"',
  );
  assertOneError(
    lines(...BASE, "selectors:", "  s: {strategy: pin}"),
    "selectors.s.targets",
    "at least one target",
  );
});

Deno.test("loadConfig() checks each selector target", () => {
  const selectors = (...rows: string[]) =>
    lines(...BASE, "selectors:", ...rows);

  assertOneError(
    selectors("  s: {strategy: pin, targets: [missing]}"),
    "selectors.s.targets[0]",
    'unknown model "missing"',
  );
  assertOneError(
    selectors(
      "  s: {strategy: pin, targets: [t]}",
      "  t: {strategy: pin, targets: [a]}",
    ),
    "selectors.s.targets[0]",
    "selectors cannot target selectors",
  );
  assertOneError(
    selectors("  s: {strategy: warm, targets: [a, remote-model]}"),
    "selectors.s.targets[1]",
    'strategy "warm" needs local models',
  );
});

Deno.test("loadConfig() checks spillover settings and duplicate targets", () => {
  const selectors = (row: string) =>
    lines(...BASE, ...SWAP_FREE, "selectors:", row);

  assertOneError(
    selectors(
      "  s: {strategy: spillover, targets: [a, b], settings: {spillover: 0}}",
    ),
    "selectors.s.settings.spillover",
    "must be a whole number >= 1, got 0",
  );
  assertOneError(
    selectors("  s: {strategy: spillover, targets: [a, alias-a]}"),
    "selectors.s.targets[1]",
    'reaches "a"',
  );
  assertOneError(
    selectors(
      "  s: {strategy: spillover, targets: [remote-model, remote/remote-model]}",
    ),
    "selectors.s.targets[1]",
    'reaches "remote/remote-model"',
  );
});

Deno.test("loadConfig() requires spillover targets to run together under groups", () => {
  const inDefault = lines(
    ...BASE,
    "selectors:",
    "  s: {strategy: spillover, targets: [a, b]}",
  );
  const apart = lines(
    ...BASE,
    "groups:",
    "  g1: {swap: false, members: [a]}",
    "  g2: {swap: false, members: [b]}",
    "selectors:",
    "  s: {strategy: spillover, targets: [a, b]}",
  );
  const together = lines(
    ...BASE,
    ...SWAP_FREE,
    "selectors:",
    "  s: {strategy: spillover, targets: [a, b], settings: {spillover: 4}}",
  );

  assertOneError(
    inDefault,
    "selectors.s.targets",
    "must share a group with swap: false",
  );
  assertOneError(
    apart,
    "selectors.s.targets",
    "must be members of one routing group",
  );
  assert.equal(loadOk(together).selectors.s?.spillover, 4);
});

Deno.test("loadConfig() requires spillover targets to share a matrix combination", () => {
  const withSets = (dsl: string) =>
    lines(
      ...BASE,
      "matrix:",
      "  vars: {A: a, B: b}",
      `  sets: {pool: "${dsl}"}`,
      "selectors:",
      "  s: {strategy: spillover, targets: [a, b]}",
    );
  const mixed = lines(
    ...BASE,
    "selectors:",
    "  s: {strategy: spillover, targets: [a, remote-model]}",
  );

  loadOk(withSets("A & B"));
  assertOneError(
    withSets("A | B"),
    "selectors.s.targets",
    "appear together in one combination",
  );
  loadOk(mixed);
});

Deno.test("loadConfig() lets a selector shadow a bare peer model name", () => {
  const config = loadOk(lines(
    ...BASE,
    "selectors:",
    "  remote-model: {strategy: pin, targets: [remote/remote-model]}",
  ));

  assert.deepEqual(config.selectors["remote-model"]?.targets, [
    "remote/remote-model",
  ]);
});
