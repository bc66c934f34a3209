import assert from "node:assert/strict";
import {
  DEFAULT_TIMEOUTS,
  errorTexts,
  example,
  loadOk,
  model,
} from "./test_helpers.ts";

const EXAMPLE_B_ENV = {
  LS_MODELS: "/srv/models",
  LS_KEY: "sk-env-key-1",
  LS_CLOUD_KEY: "ck-123",
};

Deno.test("loadConfig() applies example B's globals, clamps and macros", () => {
  const config = loadOk(example("example_b"), EXAMPLE_B_ENV);

  assert.equal(config.healthCheckTimeout, 15);
  assert.equal(config.logLevel, "debug");
  assert.equal(config.logTimeFormat, "rfc3339");
  assert.equal(config.logToStdout, "both");
  assert.equal(config.startPort, 9000);
  assert.equal(config.globalTTL, 600);
  assert.equal(config.includeAliasesInList, true);
  assert.equal(config.metricsMaxInMemory, 500);
  assert.equal(config.captureBuffer, 0);
  assert.deepEqual(config.macros, [
    { name: "bin", value: "/opt/llama/bin/llama-server" },
    { name: "base", value: "${bin} --port ${PORT} --host 127.0.0.1" },
    { name: "ctx", value: 8192 },
    { name: "temp", value: 0.6 },
    { name: "models_root", value: "/srv/models" },
  ]);
  assert.deepEqual(config.apiKeys, [
    { key: "sk-env-key-1", models: null },
    { key: "sk-static-0001", models: null },
  ]);
});

Deno.test("loadConfig() expands example B's chat-large model", () => {
  const config = loadOk(example("example_b"), EXAMPLE_B_ENV);

  const chat = model(config, "chat-large");
  assert.equal(
    chat.cmd,
    "/opt/llama/bin/llama-server --port 9000 --host 127.0.0.1\n-m /srv/models/chat-large.gguf\n--ctx-size 32768\n",
  );
  assert.equal(chat.name, "Chat Large (chat-large)");
  assert.equal(chat.description, "context 32768");
  assert.deepEqual(chat.aliases, ["gpt-4o", "chat-large:creative"]);
  assert.deepEqual(chat.filters.setParamsByID, {
    "chat-large": { temperature: 0.6 },
    "chat-large:creative": { temperature: 1.1 },
  });
  assert.equal(chat.filters.stripParams, "top_k, model, , top_k");
  assert.deepEqual(chat.filters.strip, ["top_k"]);
  assert.deepEqual(chat.filters.setParams, { top_p: 0.95 });
  assert.deepEqual(chat.metadata, {
    ctx: 32768,
    port: 9000,
    label: "ctx=32768 temp=0.6",
    tags: ["id:chat-large", 7],
  });
  assert.equal(chat.ttl, 600);
  assert.equal(chat.sendLoadingState, true);
  assert.equal(chat.concurrencyLimit, 4);
  assert.equal(chat.useModelName, "chat-large-q4");
  assert.deepEqual(chat.env, ["CUDA_VISIBLE_DEVICES=0,1"]);
  assert.deepEqual(chat.macros, [{ name: "ctx", value: 32768 }]);
});

Deno.test("loadConfig() expands example B's other models", () => {
  const config = loadOk(example("example_b"), EXAMPLE_B_ENV);

  const coder = model(config, "coder");
  assert.equal(
    coder.cmd,
    "/opt/llama/bin/llama-server --port 9001 --host 127.0.0.1 -m /srv/models/coder.gguf",
  );
  assert.equal(coder.ttl, 0);
  assert.equal(coder.sendLoadingState, false);
  const embedder = model(config, "embedder");
  assert.equal(embedder.port, 9002);
  assert.equal(embedder.unlisted, true);
  assert.equal(embedder.ttl, 600);
  const vllm = model(config, "vllm-docker");
  assert.equal(
    vllm.cmd,
    "docker run --rm --name vllm-docker -p 9003:8000 vllm/vllm-openai\n",
  );
  assert.equal(vllm.cmdStop, "docker stop vllm-docker");
  assert.equal(vllm.checkEndpoint, "/v1/models");
  assert.equal(vllm.proxy, "http://localhost:9003");
  assert.deepEqual(vllm.timeouts, { ...DEFAULT_TIMEOUTS, responseHeader: 300 });
  for (const m of Object.values(config.models)) {
    assert.equal(m.healthCheckTimeout, 15);
  }
});

Deno.test("loadConfig() builds example B's groups, preload and peer", () => {
  const config = loadOk(example("example_b"), EXAMPLE_B_ENV);

  assert.deepEqual(config.routing.router, {
    use: "group",
    groups: {
      chat: {
        swap: true,
        exclusive: true,
        persistent: false,
        members: ["chat-large", "coder"],
      },
      "always-on": {
        swap: false,
        exclusive: false,
        persistent: true,
        members: ["embedder"],
      },
      "(default)": {
        swap: true,
        exclusive: true,
        persistent: false,
        members: ["vllm-docker"],
      },
    },
  });
  assert.deepEqual(config.preload, ["embedder", "chat-large"]);
  const cloud = config.peers.cloud;
  assert.equal(cloud?.apiKey, "ck-123");
  assert.deepEqual(cloud?.models, ["big-remote", "tiny-remote"]);
  assert.deepEqual(cloud?.filters.strip, ["seed"]);
  assert.deepEqual(cloud?.filters.setParams, { max_tokens: 2048 });
  assert.deepEqual(cloud?.timeouts, {
    ...DEFAULT_TIMEOUTS,
    responseHeader: 60,
  });
});

Deno.test("loadConfig() reports example B's documented variations", () => {
  const text = example("example_b");
  const { LS_CLOUD_KEY: _, ...withoutCloudKey } = EXAMPLE_B_ENV;

  const unset = errorTexts(text, withoutCloudKey);
  const shared = errorTexts(
    text.replace(
      "members: [chat-large, coder]",
      "members: [chat-large, coder, embedder]",
    ),
    EXAMPLE_B_ENV,
  );
  const alias = errorTexts(
    text.replace("    ttl: 0\n", "    ttl: 0\n    aliases: [gpt-4o]\n"),
    EXAMPLE_B_ENV,
  );

  assert.deepEqual(unset, [
    'config.yaml:84:14: peers.cloud.apiKey: environment variable "LS_CLOUD_KEY" is not set',
  ]);
  assert.equal(shared.length, 1);
  assert.match(
    shared[0] ?? "",
    /groups\.always-on\.members\[0\]: model "embedder" is already a member of group "chat"/,
  );
  assert.equal(alias.length, 1);
  assert.match(
    alias[0] ?? "",
    /models\.coder\.aliases\[0\]: alias "gpt-4o" is already an alias of model "chat-large"/,
  );
});
