/**
 * The proxy app served over HTTP in front of the real router and three
 * simulated models (real child processes), driven by the official `openai`
 * SDK and by plain fetch.
 */
import assert from "node:assert/strict";
import OpenAI from "openai";
import { loadConfig } from "../config/mod.ts";
import { selfCommand, shellQuote } from "../lib/mod.ts";
import { LogBuffer, Logger } from "../log/mod.ts";
import { createPlanner } from "../planners/mod.ts";
import { ModelProcess } from "../process/mod.ts";
import { REMARKS } from "../proxy/loading/mod.ts";
import { createProxyApp, type RouterPort } from "../proxy/mod.ts";
import { Router } from "../router/mod.ts";

/** Abandons a test that hangs instead of letting it run forever. */
const TEST_DEADLINE_MS = 60_000;

interface Harness extends AsyncDisposable {
  /** `http://127.0.0.1:<port>` of the proxy. */
  readonly url: string;
  readonly openai: OpenAI;
  readonly router: Router;
  readonly processes: ReadonlyMap<string, ModelProcess>;
  /** Each model's own output (the simulator's log lines). */
  readonly modelLogs: ReadonlyMap<string, LogBuffer>;
  /** Models in the order their processes began to start. */
  readonly starts: string[];
  readonly signal: AbortSignal;
}

function portIsFree(port: number): boolean {
  try {
    Deno.listen({ hostname: "127.0.0.1", port }).close();
    return true;
  } catch {
    return false; // taken: try another base
  }
}

/** A base port with `count` free ports from it, for `startPort`. */
function freePortRange(count: number): number {
  for (let attempt = 0; attempt < 20; attempt++) {
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const base = (listener.addr as Deno.NetAddr).port;
    listener.close();
    if (base + count > 65535) continue;
    const ports = Array.from({ length: count }, (_, i) => base + i);
    if (ports.every(portIsFree)) return base;
  }
  throw new Error(`Cannot find ${count} free consecutive ports`);
}

function configText(startPort: number): string {
  const simulate = shellQuote([...selfCommand(), "simulate"]);
  const model = (id: string, loadMs: number) =>
    `  ${id}:\n` +
    `    cmd: ${simulate} --port \${PORT} --model ${id} --load-ms ${loadMs} --token-ms 20 --tokens 8\n` +
    "    proxy: http://127.0.0.1:${PORT}\n" +
    "    unloadTimeout: 2\n";
  return [
    "healthCheckTimeout: 30",
    "sendLoadingState: true",
    `startPort: ${startPort}`,
    "models:",
    // b loads for longer than one loading tick, so a remark shows.
    model("a", 150) + model("b", 1200) + model("c", 150),
  ].join("\n");
}

function startProxy(): Harness {
  const loaded = loadConfig(configText(freePortRange(3)));
  if (!loaded.ok) {
    throw new Error(
      `Cannot load test config: ${JSON.stringify(loaded.errors)}`,
    );
  }
  const config = loaded.config;
  const logger = new Logger(new LogBuffer(), { level: "debug" });

  const processes = new Map<string, ModelProcess>();
  const modelLogs = new Map<string, LogBuffer>();
  const starts: string[] = [];
  for (const [id, model] of Object.entries(config.models)) {
    const logs = new LogBuffer();
    const process = new ModelProcess({ config: model, logger, logs });
    process.onStateChange((change) => {
      if (change.to === "starting") starts.push(change.model);
    });
    processes.set(id, process);
    modelLogs.set(id, logs);
  }
  const router = new Router({
    config,
    processes,
    planner: createPlanner(config.routing.router, new Set(processes.keys())),
    logger,
  });
  router.start();
  const port: RouterPort = router;

  const app = createProxyApp({
    current: () => ({ config, router: port, processes }),
    logger,
    version: { version: "test", commit: "test", buildDate: "test" },
  });
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    (request, info) => app.fetch(request, { remoteAddr: info.remoteAddr }),
  );
  const url = `http://127.0.0.1:${server.addr.port}`;

  const deadline = new AbortController();
  const timer = setTimeout(
    () => deadline.abort(new Error("Test ran out of time")),
    TEST_DEADLINE_MS,
  );
  return {
    url,
    openai: new OpenAI({
      baseURL: `${url}/v1`,
      apiKey: "unused",
      maxRetries: 0,
    }),
    router,
    processes,
    modelLogs,
    starts,
    signal: deadline.signal,
    async [Symbol.asyncDispose]() {
      clearTimeout(timer);
      await server.shutdown();
      await router.shutdown(2_000);
    },
  };
}

/** Resolves with the first line of `logs` (old or new) containing `text`. */
function lineIn(logs: LogBuffer, text: string): Promise<string> {
  return new Promise((resolve) => {
    const decoder = new TextDecoder();
    let seen = "";
    const check = (chunk: Uint8Array) => {
      seen += decoder.decode(chunk, { stream: true });
      const line = seen.split("\n").find((l) => l.includes(text));
      if (line === undefined) return false;
      resolve(line);
      return true;
    };
    const stop = logs.subscribe((chunk) => {
      if (check(chunk)) stop();
    });
    if (check(logs.history())) stop();
  });
}

const messages = [{ role: "user" as const, content: "Say something" }];

Deno.test("the openai SDK gets whole and streamed answers from the right model", async () => {
  await using proxy = startProxy();

  const whole = await proxy.openai.chat.completions.create(
    { model: "a", messages },
    { signal: proxy.signal },
  );
  const stream = await proxy.openai.chat.completions.create(
    { model: "a", messages, stream: true },
    { signal: proxy.signal },
  );
  let streamed = "";
  for await (const chunk of stream) {
    streamed += chunk.choices[0]?.delta?.content ?? "";
  }

  assert.equal(whole.model, "a");
  const content = whole.choices[0]?.message.content ?? "";
  assert.ok(content.length > 0);
  assert.equal(streamed, content);
  assert.deepEqual(proxy.starts, ["a"]);
});

Deno.test("answers stay correct while requests swap models back and forth", async () => {
  await using proxy = startProxy();

  const order = ["a", "b", "c", "a", "b", "c"];
  const answers = await Promise.all(
    order.map((model) =>
      proxy.openai.chat.completions.create(
        { model, messages },
        { signal: proxy.signal },
      )
    ),
  );

  assert.deepEqual(answers.map((answer) => answer.model), order);
  assert.equal(proxy.starts.length, 3);
  assert.deepEqual([...proxy.starts].sort(), ["a", "b", "c"]);
});

Deno.test("a streaming request to a cold model shows loading remarks, then the real tokens", async () => {
  await using proxy = startProxy();

  const stream = await proxy.openai.chat.completions.create(
    { model: "b", messages, stream: true },
    { signal: proxy.signal },
  );
  let reasoning = "";
  let content = "";
  let contentBeforeReasoningEnded = false;
  for await (const chunk of stream) {
    const delta = chunk.choices[0]?.delta as
      | { content?: string | null; reasoning_content?: string }
      | undefined;
    if (delta?.reasoning_content) {
      reasoning += delta.reasoning_content;
      if (content !== "") contentBeforeReasoningEnded = true;
    }
    content += delta?.content ?? "";
  }

  assert.match(reasoning, /llama-swap loading model: b\n/);
  assert.ok(REMARKS.some((remark) => reasoning.includes(remark)), reasoning);
  assert.match(reasoning, /Done! \(/);
  assert.ok(content.length > 0);
  assert.equal(contentBeforeReasoningEnded, false);
});

Deno.test("a client leaving mid-stream frees the model's slot and cancels upstream", async () => {
  await using proxy = startProxy();
  await proxy.openai.chat.completions.create({ model: "a", messages });
  const client = new AbortController();
  const cancelled = lineIn(proxy.modelLogs.get("a")!, "request cancelled");

  const res = await fetch(`${proxy.url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      model: "a",
      messages,
      stream: true,
      max_tokens: 200,
    }),
    signal: client.signal,
  });
  const reader = res.body!.getReader();
  await reader.read();
  assert.equal(proxy.processes.get("a")!.inFlight, 1);
  client.abort();
  await reader.cancel().catch(() => undefined); // already aborted

  await cancelled;
  assert.equal(proxy.processes.get("a")!.inFlight, 0);
});

Deno.test("a multipart transcription routes by its form field", async () => {
  await using proxy = startProxy();
  const form = new FormData();
  form.append("model", "c");
  form.append(
    "file",
    new File(["RIFF-audio-bytes"], "talk.wav", { type: "audio/wav" }),
  );

  const res = await fetch(`${proxy.url}/v1/audio/transcriptions`, {
    method: "POST",
    body: form,
    signal: proxy.signal,
  });

  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), {
    text: "transcribed talk.wav (16 bytes)",
  });
  assert.deepEqual(proxy.starts, ["c"]);
});
