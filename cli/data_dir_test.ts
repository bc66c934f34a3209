import assert from "node:assert/strict";
import { resolveDataDir } from "./data_dir.ts";

const env = (vars: Record<string, string>) => (name: string) => vars[name];

Deno.test("resolveDataDir() prefers the flag, then XDG_STATE_HOME, then HOME", () => {
  const both = env({ XDG_STATE_HOME: "/state", HOME: "/home/u" });

  assert.equal(resolveDataDir("/data", { env: both }), "/data");
  assert.equal(resolveDataDir(null, { env: both }), "/state/llama-swap");
  assert.equal(
    resolveDataDir(null, { env: env({ HOME: "/home/u" }) }),
    "/home/u/.local/state/llama-swap",
  );
  assert.equal(resolveDataDir(null, { env: env({}) }), null);
});

Deno.test("resolveDataDir() keeps the demo's history apart unless --data-dir says where", () => {
  const home = env({ HOME: "/home/u" });

  assert.equal(
    resolveDataDir(null, { demo: true, env: home }),
    "/home/u/.local/state/llama-swap/demo",
  );
  assert.equal(resolveDataDir("/data", { demo: true, env: home }), "/data");
  assert.equal(resolveDataDir(null, { demo: true, env: env({}) }), null);
});
