import assert from "node:assert/strict";
import { assertOneError, lines, loadOk } from "./test_helpers.ts";

const BASE = [
  "models:",
  "  model:",
  "    cmd: s --port ${PORT}",
  "    aliases: [nick]",
  "    filters: {setParamsByID: {model-hot: {t: 1}}}",
  "  other:",
  "    cmd: s --port ${PORT}",
  "peers:",
  "  cloud: {proxy: http://c, models: [remote]}",
  "selectors:",
  "  pick: {strategy: pin, targets: [model]}",
];

Deno.test("loadConfig() reads profile pins to every kind of target", () => {
  const config = loadOk(lines(
    ...BASE,
    "profiles:",
    "  coding:",
    "    description: Local coding",
    "    pins:",
    "      a: model",
    "      b: nick",
    "      c: model-hot",
    "      d: remote",
    "      e: cloud/remote",
    '      f: ""',
    "      g: ~",
    "      other: model",
    "      h: pick",
  ));

  assert.deepEqual(config.profiles.coding, {
    name: "coding",
    description: "Local coding",
    pins: {
      a: "model",
      b: "nick",
      c: "model-hot",
      d: "remote",
      e: "cloud/remote",
      f: "",
      g: "",
      other: "model",
      h: "pick",
    },
  });
});

Deno.test("loadConfig() refuses the legacy list form of profiles", () => {
  assertOneError(
    lines(...BASE, "profiles:", "  old: [model]"),
    "profiles.old",
    "the list form is no longer supported",
  );
});

Deno.test("loadConfig() refuses a profile without pins", () => {
  assertOneError(
    lines(...BASE, "profiles:", "  p: {pins: {}}"),
    "profiles.p.pins",
    "at least one pin",
  );
  assertOneError(
    lines(...BASE, "profiles:", "  p: {description: x}"),
    "profiles.p.pins",
    "at least one pin",
  );
});

Deno.test("loadConfig() refuses pins to unknown targets, without chaining pins", () => {
  assertOneError(
    lines(...BASE, "profiles:", "  p: {pins: {public: missing}}"),
    "profiles.p.pins.public",
    'unknown model "missing"',
  );
  assertOneError(
    lines(
      ...BASE,
      "profiles:",
      "  p:",
      "    pins:",
      "      first: model",
      "      second: first",
    ),
    "profiles.p.pins.second",
    'unknown model "first"',
  );
});

Deno.test("loadConfig() refuses blank profile and pin names", () => {
  assertOneError(
    lines(...BASE, "profiles:", '  " ": {pins: {a: model}}'),
    'profiles." "',
    "cannot be empty",
  );
  assertOneError(
    lines(...BASE, "profiles:", '  p: {pins: {"": model}}'),
    'profiles.p.pins.""',
    "cannot be empty",
  );
});
