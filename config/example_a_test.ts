import assert from "node:assert/strict";
import { loadConfigSources } from "./load_sources.ts";
import {
  DEFAULT_TIMEOUTS,
  envOf,
  errorTexts,
  example,
  loadOk,
  model,
} from "./test_helpers.ts";

Deno.test("loadConfigSources() loads example A with ports in sorted ID order", async () => {
  const path = new URL("./testdata/example_a.yaml", import.meta.url).pathname;

  const result = await loadConfigSources({
    config: path,
    configDir: null,
    env: envOf(),
  });

  assert.ok(result.ok);
  const config = result.config;
  assert.deepEqual(Object.keys(config.models), [
    "embed",
    "fixed-port",
    "qwen-7b",
  ]);
  assert.equal(model(config, "embed").port, 5800);
  assert.equal(model(config, "fixed-port").port, null);
  assert.equal(model(config, "qwen-7b").port, 5801);
});

Deno.test("loadConfig() gives example A's models their documented fields", () => {
  const config = loadOk(example("example_a"));

  const embed = model(config, "embed");
  assert.equal(
    embed.cmd,
    "llama-server\n  --port 5800\n  -m /models/nomic-embed.gguf\n  --embedding\n",
  );
  assert.equal(embed.proxy, "http://localhost:5800");
  const qwen = model(config, "qwen-7b");
  assert.equal(qwen.proxy, "http://localhost:5801");
  assert.equal(qwen.ttl, 300);
  assert.deepEqual(qwen.aliases, ["qwen", "small-chat"]);
  assert.deepEqual(config.aliases, {
    qwen: "qwen-7b",
    "small-chat": "qwen-7b",
  });
  const fixed = model(config, "fixed-port");
  assert.equal(fixed.proxy, "http://127.0.0.1:9100");
  assert.equal(fixed.checkEndpoint, "none");
  assert.equal(fixed.ttl, 0);
  for (const m of Object.values(config.models)) {
    assert.equal(m.healthCheckTimeout, 120);
    assert.deepEqual(m.timeouts, DEFAULT_TIMEOUTS);
    assert.equal(m.sendLoadingState, false);
    assert.equal(m.concurrencyLimit, 10);
    assert.equal(m.unloadTimeout, 10);
  }
  assert.equal(model(config, "embed").checkEndpoint, "/health");
});

Deno.test("loadConfig() puts every model of example A in the default group", () => {
  const config = loadOk(example("example_a"));

  assert.deepEqual(config.routing.router, {
    use: "group",
    groups: {
      "(default)": {
        swap: true,
        exclusive: true,
        persistent: false,
        members: ["embed", "fixed-port", "qwen-7b"],
      },
    },
  });
  assert.equal(config.routing.scheduler.use, "fifo");
});

Deno.test("loadConfig() refuses example A without the fixed port's proxy", () => {
  const text = example("example_a").replace(
    "    proxy: http://127.0.0.1:9100\n",
    "",
  );

  const errors = errorTexts(text);

  assert.equal(errors.length, 1);
  assert.match(
    errors[0] ?? "",
    /^config\.yaml:12:3: models\.fixed-port\.proxy: cmd does not use "\$\{PORT\}"/,
  );
});
