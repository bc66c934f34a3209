import assert from "node:assert/strict";
import { errorTexts, example, loadOk, model } from "./test_helpers.ts";

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
    "^\\/ws$",
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
