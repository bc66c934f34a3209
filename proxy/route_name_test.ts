import assert from "node:assert/strict";
import type { Config } from "../config/types.ts";
import { testConfig, testModel } from "../tests/proxy_fakes.ts";
import { HttpError } from "./errors.ts";
import { routeName } from "./route_name.ts";
import { SelectorPicker } from "./selector_picker.ts";
import { testSelector } from "./test_utils.ts";

function context(pins: Record<string, string> | null) {
  const config: Config = {
    ...testConfig([testModel("a"), testModel("b")]),
    selectors: {
      pool: testSelector("pool", { strategy: "spillover", targets: ["a"] }),
    },
  };
  return {
    config,
    processes: new Map(),
    profile: pins ? { name: "p", description: "", pins } : null,
    selectors: new SelectorPicker(),
  };
}

Deno.test("routeName() keeps an unpinned model name as it is", () => {
  const routed = routeName("a", context({ other: "b" }));

  assert.equal(routed.name, "a");
  assert.equal(routed.rewritten, false);
  assert.equal(routed.selector, null);
});

Deno.test("routeName() applies a pin and then the selector it names", () => {
  const ctx = context({ coder: "pool" });

  const routed = routeName("coder", ctx);

  assert.equal(routed.name, "a");
  assert.equal(routed.rewritten, true);
  assert.equal(routed.selector, "pool");
  assert.equal(ctx.selectors.reservations("pool", "a"), 1);
  routed.release();
  assert.equal(ctx.selectors.reservations("pool", "a"), 0);
});

Deno.test("routeName() refuses a name the profile disables with 404", () => {
  assert.throws(
    () => routeName("a", context({ a: "" })),
    (error) =>
      error instanceof HttpError && error.status === 404 &&
      error.message === "no model id could be identified",
  );
});
