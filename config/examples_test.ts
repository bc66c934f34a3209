import assert from "node:assert/strict";
import { loadConfigFile } from "./load.ts";
import { envOf, errorTexts, loadOk } from "./test_helpers.ts";
import type { Config, ModelConfig } from "./types.ts";

const EXAMPLE_B_ENV = {
  LS_MODELS: "/srv/models",
  LS_KEY: "sk-env-key-1",
  LS_CLOUD_KEY: "ck-123",
};

function example(name: string): string {
  return Deno.readTextFileSync(
    new URL(`./testdata/${name}.yaml`, import.meta.url),
  );
}

function model(config: Config, id: string): ModelConfig {
  const found = config.models[id];
  assert.ok(found, `model ${id} is missing`);
  return found;
}

const DEFAULT_TIMEOUTS = {
  connect: 30,
  keepalive: 30,
  responseHeader: 0,
  tlsHandshake: 10,
  expectContinue: 1,
  idleConn: 90,
};

Deno.test("loadConfigFile() loads example A with ports in sorted ID order", async () => {
  const path = new URL("./testdata/example_a.yaml", import.meta.url).pathname;

  const result = await loadConfigFile(path, { env: envOf() });

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

Deno.test("loadConfig() compiles example C's legacy matrix", () => {
  const config = loadOk(example("example_c"));

  const ports = Object.fromEntries(
    Object.values(config.models).map((m) => [m.id, m.port]),
  );
  assert.deepEqual(ports, {
    big70: 7000,
    "llm-a": 7001,
    "llm-b": 7002,
    rerank: 7003,
    solo: 7004,
    tts: 7005,
  });
  assert.deepEqual(config.routing.router, {
    use: "matrix",
    matrix: {
      vars: { a: "llm-a", b: "llm-b", t: "tts", r: "rerank", B70: "big70" },
      evictCosts: { t: 20, B70: 5 },
      sets: [
        { name: "llms", dsl: "a | b" },
        { name: "voice", dsl: "+llms & t" },
        { name: "full", dsl: "+voice & r" },
        { name: "heavy", dsl: "B70" },
      ],
    },
  });
  assert.deepEqual(config.preload, ["tts"]);
  assert.equal(model(config, "big70").ttl, 900);
});

Deno.test("loadConfig() reports example C's documented variations", () => {
  const text = example("example_c");

  const byModelId = loadOk(text.replace('heavy: "B70"', 'heavy: "big70"'));
  const withGroups = errorTexts(text + "groups: {g: {members: [solo]}}\n");
  const circular = errorTexts(
    text.replace(/ {4}llms: .*\n(?: {4}.*\n)*/, '    x: "+y"\n    y: "+x"\n'),
  );

  assert.equal(byModelId.routing.router.use, "matrix");
  assert.equal(withGroups.length, 1);
  assert.match(
    withGroups[0] ?? "",
    /config\.yaml:16:1: matrix: cannot be used together with top-level "groups"/,
  );
  assert.equal(circular.length, 1);
  assert.match(
    circular[0] ?? "",
    /matrix\.sets\.x: .*circular|matrix\.sets\.x: .*cycle/i,
  );
});

Deno.test("loadConfig() applies example D's macros to globals and models", () => {
  const config = loadOk(example("example_d"), { CLOUD_KEY: "ck-test" });

  assert.equal(config.startPort, 6100);
  assert.equal(config.globalTTL, 120);
  assert.equal(config.unloadTimeout, 20);
  const ports = Object.values(config.models).map((m) => [m.id, m.port]);
  assert.deepEqual(ports, [
    ["gemma-vision", 6100],
    ["qwen-coder", 6101],
    ["whisper", 6102],
    ["worker-1", 6103],
    ["worker-2", 6104],
  ]);
  const qwen = model(config, "qwen-coder");
  assert.equal(
    qwen.cmd,
    "/usr/local/bin/llama-server --port 6101 -m /m/qwen-coder.gguf -c 65536",
  );
  assert.deepEqual(qwen.aliases, ["coder-65536", "qwen-coder:fast"]);
  assert.deepEqual(qwen.env, ["LLAMA_ARG_CTX=65536", "SERVED_AS=qwen-coder"]);
  assert.deepEqual(qwen.capabilities, {
    in: ["text", "image"],
    out: ["text"],
    tools: true,
    reranker: false,
    context: 65536,
  });
  assert.equal(qwen.ttl, 120);
  assert.equal(qwen.unloadTimeout, 20);
  const gemma = model(config, "gemma-vision");
  assert.equal(
    gemma.cmd,
    "/usr/local/bin/llama-server --port 6100 -m /m/gemma.gguf",
  );
  assert.equal(gemma.cmdStop, "kill -TERM ${PID}");
  assert.equal(gemma.unloadTimeout, 45);
  assert.deepEqual(gemma.capabilities, {
    in: ["text", "image"],
    out: ["text"],
    tools: true,
    reranker: false,
    context: 0,
  });
  const whisper = model(config, "whisper");
  assert.equal(whisper.cmd, "whisper-server --port 6102");
  assert.equal(whisper.compat.ignoreWebsockets, true);
  assert.deepEqual(whisper.capabilities?.in, ["audio"]);
});

Deno.test("loadConfig() reads example D's ui, upstream, routing and scheduler", () => {
  const config = loadOk(example("example_d"), { CLOUD_KEY: "ck-test" });

  assert.deepEqual(config.sessionIdHeaders, [
    "X-Conversation-Id",
    "X-Session-ID",
  ]);
  assert.deepEqual(config.upstreamIgnorePaths, [
    "\\.(css|js|png|svg)$",
    "^/ws$",
  ]);
  assert.deepEqual(config.routing, {
    router: {
      use: "matrix",
      matrix: {
        vars: { coder: "qwen-coder", vision: "gemma-vision" },
        evictCosts: { whisper: 10 },
        sets: [
          { name: "twin", dsl: "worker-1 & worker-2" },
          { name: "dev", dsl: "(coder | vision) & whisper" },
          { name: "twin_voice", dsl: "+twin & whisper" },
        ],
      },
    },
    scheduler: {
      use: "fifo",
      priority: { "qwen-coder": 10, whisper: 5 },
      maxWait: 60,
    },
  });
});

Deno.test("loadConfig() reads example D's peers, selectors and profile", () => {
  const config = loadOk(example("example_d"), { CLOUD_KEY: "ck-test" });

  assert.deepEqual(config.peers.lab?.models, ["llama-70b", "shared-model"]);
  assert.equal(config.peers.cloud?.apiKey, "ck-test");
  assert.deepEqual(config.selectors.coding, {
    id: "coding",
    strategy: "warm",
    targets: ["qwen-coder", "gemma-vision"],
    spillover: 1,
    name: "Coding (auto)",
    description: "",
    unlisted: false,
    metadata: { family: "coding" },
  });
  assert.equal(config.selectors.workers?.strategy, "spillover");
  assert.equal(config.selectors.workers?.spillover, 3);
  assert.equal(config.selectors.big?.strategy, "pin");
  assert.equal(config.selectors.big?.unlisted, true);
  assert.deepEqual(config.profiles, {
    "remote-only": {
      name: "remote-only",
      description: "Prefer remote models",
      pins: {
        coding: "cloud/org/frontier",
        "qwen-coder": "lab/llama-70b",
        whisper: "",
      },
    },
  });
});

Deno.test("loadConfig() reports example D's documented variations", () => {
  const text = example("example_d");
  const env = { CLOUD_KEY: "ck-test" };

  const groupRouter = errorTexts(
    text.replace("use: matrix", "use: group"),
    env,
  );
  const legacyToo = errorTexts(
    text + "groups: {g: {members: [whisper]}}\n",
    env,
  );
  const chained = errorTexts(
    text.replace(
      "targets: [lab/llama-70b, cloud/org/frontier]",
      "targets: [lab/llama-70b, coding]",
    ),
    env,
  );
  const video = errorTexts(
    text.replace("    in: [text, image]", "    in: [video]"),
    env,
  );
  const fqnModel = errorTexts(
    text.replace(
      "  worker-2:\n",
      "  lab/llama-70b:\n    cmd: x --port ${PORT}\n  worker-2:\n",
    ),
    env,
  );

  assert.equal(groupRouter.length, 1);
  assert.match(
    groupRouter[0] ?? "",
    /selectors\.workers\.targets: the local spillover targets must share a group with swap: false/,
  );
  assert.equal(legacyToo.length, 1);
  assert.match(
    legacyToo[0] ?? "",
    /routing\.router: cannot be combined with the top-level "groups" or "matrix" keys/,
  );
  assert.equal(chained.length, 1);
  assert.match(
    chained[0] ?? "",
    /selectors\.big\.targets\[1\]: "coding" is a selector; selectors cannot target selectors/,
  );
  assert.deepEqual(video.map((e) => e.replace(/^config\.yaml:\d+:\d+: /, "")), [
    'models.gemma-vision.capabilities.in[0]: unknown modality "video", expected "text", "audio" or "image"',
    'models.qwen-coder.capabilities.in[0]: unknown modality "video", expected "text", "audio" or "image"',
  ]);
  assert.equal(fqnModel.length, 1);
  assert.match(
    fqnModel[0] ?? "",
    /models\.lab\/llama-70b: model ID "lab\/llama-70b" is the full name of a model of peer "lab"/,
  );
});
