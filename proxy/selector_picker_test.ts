import assert from "node:assert/strict";
import type { SelectorConfig } from "../config/types.ts";
import type { ProcessState } from "../process/types.ts";
import {
  FakeProcess,
  testConfig,
  testModel,
  testPeer,
} from "../tests/proxy_fakes.ts";
import { HttpError } from "./errors.ts";
import { SelectorPicker } from "./selector_picker.ts";

function selector(
  strategy: SelectorConfig["strategy"],
  targets: string[],
  spillover = 1,
): SelectorConfig {
  return {
    id: "public",
    strategy,
    targets,
    spillover,
    name: "",
    description: "",
    unlisted: false,
    metadata: {},
  };
}

/** Models a, b and c (alias `alias-a`) plus the peer model `remote/r`. */
function world(states: Record<string, ProcessState>) {
  const config = testConfig([
    testModel("a", { aliases: ["alias-a"] }),
    testModel("b"),
    testModel("c"),
  ], { peers: [testPeer("remote", ["r"])] });
  const processes = new Map(
    ["a", "b", "c"].map((id) => [id, new FakeProcess(id, states[id])]),
  );
  return { config, processes };
}

Deno.test("SelectorPicker.pick() with pin always takes the first target", () => {
  const picker = new SelectorPicker();
  const context = world({ a: "stopped", b: "ready" });

  const choice = picker.pick(selector("pin", ["alias-a", "b"]), context);

  assert.equal(choice.target, "alias-a");
});

Deno.test("SelectorPicker.pick() with warm prefers ready, then starting, then the first", () => {
  const picker = new SelectorPicker();
  const warm = selector("warm", ["a", "b", "c"]);

  const ready = picker.pick(warm, world({ b: "starting", c: "ready" }));
  const starting = picker.pick(warm, world({ b: "starting" }));
  const cold = picker.pick(warm, world({}));

  assert.equal(ready.target, "c");
  assert.equal(starting.target, "b");
  assert.equal(cold.target, "a");
});

Deno.test("SelectorPicker.pick() with spillover spreads ready targets in turn", () => {
  const picker = new SelectorPicker();
  const spill = selector("spillover", ["a", "b", "c"]);
  const context = world({ a: "ready", b: "ready", c: "ready" });

  const first = picker.pick(spill, context);
  const second = picker.pick(spill, context);
  const third = picker.pick(spill, context);

  assert.deepEqual(
    [first.target, second.target, third.target].sort(),
    ["a", "b", "c"],
  );
  assert.equal(picker.reservations("public", "a"), 1);
});

Deno.test("SelectorPicker.pick() with spillover fills a target before starting the next", () => {
  const picker = new SelectorPicker();
  const spill = selector("spillover", ["a", "b"], 2);
  const context = world({ a: "ready" });

  const targets = [1, 2, 3].map(() => picker.pick(spill, context).target);

  assert.deepEqual(targets, ["a", "a", "b"]);
});

Deno.test("SelectorPicker.pick() with spillover uses the least busy when all are full", () => {
  const picker = new SelectorPicker();
  const spill = selector("spillover", ["a", "b"]);
  const context = world({ a: "ready", b: "ready" });
  const held = [picker.pick(spill, context), picker.pick(spill, context)];
  held.find((choice) => choice.target === "b")!.release();

  const next = picker.pick(spill, context);

  assert.equal(next.target, "b");
});

Deno.test("SelectorPicker.pick() with spillover counts peers only by reservations", () => {
  const picker = new SelectorPicker();
  const spill = selector("spillover", ["remote/r", "a"]);
  const context = world({});

  const first = picker.pick(spill, context);
  const second = picker.pick(spill, context);

  assert.equal(first.target, "remote/r");
  assert.equal(second.target, "a");
  assert.equal(picker.reservations("public", "remote/r"), 1);
});

Deno.test("SelectorPicker.pick() with spillover skips stopping targets and fails with none left", () => {
  const picker = new SelectorPicker();
  const spill = selector("spillover", ["a", "b"]);

  const choice = picker.pick(spill, world({ a: "stopping" }));
  const failure = (() => {
    try {
      picker.pick(spill, world({ a: "stopping", b: "shutdown" }));
    } catch (error) {
      return error;
    }
  })();

  assert.equal(choice.target, "b");
  assert.ok(failure instanceof HttpError);
  assert.equal(failure.status, 503);
  assert.equal(
    failure.message,
    'selector "public" has no available spillover targets',
  );
});

Deno.test("SelectorChoice.release() ends the reservation once", () => {
  const picker = new SelectorPicker();
  const spill = selector("spillover", ["a", "b"]);
  const context = world({ a: "ready", b: "ready" });
  const first = picker.pick(spill, context);
  picker.pick(spill, context);

  first.release();
  first.release();

  assert.equal(picker.reservations("public", first.target), 0);
  assert.equal(picker.pick(spill, context).target, first.target);
});
