/**
 * `llama-swap --config` as users run it (`main.ts`, a real child process)
 * in front of three simulated models (its own child processes), driven by
 * the official `openai` SDK and by plain fetch.
 */
import assert from "node:assert/strict";
import OpenAI from "openai";
import { selfCommand, shellQuote } from "../lib/mod.ts";
import { REMARKS } from "../proxy/loading/mod.ts";
import { freePortRange } from "./free_ports.ts";
import {
  MAIN,
  type MainChild,
  startMain,
  stopMain,
} from "./ship_main_child.ts";
import { TEST_CA_PATH, TEST_TLS_DIR } from "./tls_server.ts";

/** The command of the built-in simulated inference server. */
const SIMULATE = shellQuote([...selfCommand(), "simulate"]);

/** Abandons a test that hangs instead of letting it run forever. */
const TEST_DEADLINE_MS = 60_000;

interface Harness extends AsyncDisposable {
  readonly main: MainChild;
  /** `http://127.0.0.1:<port>` of the proxy. */
  readonly url: string;
  readonly openai: OpenAI;
  /** Models in the order their loads began, from the proxy's log. */
  starts(): string[];
  readonly signal: AbortSignal;
}

/**
 * Three simulated models. Their own output goes to the proxy's stdout too
 * (`logToStdout: both`), so a test can wait for what a model logged.
 */
function configText(startPort: number): string {
  const model = (id: string, loadMs: number) =>
    `  ${id}:\n` +
    `    cmd: ${SIMULATE} --port \${PORT} --model ${id} --load-ms ${loadMs} --token-ms 20 --tokens 8\n` +
    "    proxy: http://127.0.0.1:${PORT}\n" +
    "    unloadTimeout: 2\n";
  return [
    "healthCheckTimeout: 30",
    "sendLoadingState: true",
    "logToStdout: both",
    `startPort: ${startPort}`,
    "models:",
    // b loads for longer than one loading tick, so a remark shows.
    model("a", 150) + model("b", 1200) + model("c", 150),
  ].join("\n");
}

/**
 * `main.ts --config` on `text` (written to `dir/<name>.yaml`, data in
 * `dir/<name>-data`), resolved once it listens.
 */
async function startLlamaSwap(
  dir: string,
  name: string,
  text: string,
  options: {
    args?: readonly string[];
    denoFlags?: readonly string[];
    env?: Readonly<Record<string, string>>;
  } = {},
): Promise<MainChild> {
  const configPath = `${dir}/${name}.yaml`;
  await Deno.writeTextFile(configPath, text);
  const env = Object.entries(options.env ?? {}).map(([k, v]) => `${k}=${v}`);
  return await startMain(
    [
      "--config",
      configPath,
      "--data-dir",
      `${dir}/${name}-data`,
      ...options.args ?? [],
    ],
    [
      ...env.length > 0 ? ["env", ...env] : [],
      Deno.execPath(),
      "run",
      "--allow-all",
      ...options.denoFlags ?? [],
      MAIN,
    ],
  );
}

/** `main.ts` on `config` (three simulated models by default). */
async function startProxy(
  config: (startPort: number) => string = configText,
): Promise<Harness> {
  const dir = await Deno.makeTempDir({ prefix: "llama-swap-e2e-" });
  let main: MainChild;
  try {
    main = await startLlamaSwap(dir, "config", config(freePortRange(3)));
  } catch (error) {
    await Deno.remove(dir, { recursive: true });
    throw error;
  }

  // At the deadline, killing the proxy also ends every wait on its output.
  const deadline = new AbortController();
  const timer = setTimeout(() => {
    deadline.abort(new Error("Test ran out of time"));
    main.kill("SIGKILL");
  }, TEST_DEADLINE_MS);
  return {
    main,
    url: main.url,
    openai: new OpenAI({
      baseURL: `${main.url}/v1`,
      apiKey: "unused",
      maxRetries: 0,
    }),
    starts: () =>
      [...main.output().matchAll(/swap started model=(\S+)/g)].map((m) =>
        m[1]!
      ),
    signal: deadline.signal,
    async [Symbol.asyncDispose]() {
      clearTimeout(timer);
      try {
        await stopMain(main);
      } finally {
        await Deno.remove(dir, { recursive: true });
      }
    },
  };
}

const messages = [{ role: "user" as const, content: "Say something" }];

/** `model`'s `llamaswap_inflight_requests` on the proxy's `/metrics`. */
async function inFlight(url: string, model: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const series = `llamaswap_inflight_requests{model="${model}"} `;
  const line = text.split("\n").find((l) => l.startsWith(series));
  assert.ok(line, `no ${series.trim()} in:\n${text}`);
  return Number(line.slice(series.length));
}

Deno.test("the openai SDK gets whole and streamed answers from the right model", async () => {
  await using proxy = await startProxy();

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
  assert.deepEqual(proxy.starts(), ["a"]);
});

Deno.test("answers stay correct while requests swap models back and forth", async () => {
  await using proxy = await startProxy();
  const { openai, signal } = proxy;
  const whole = async (model: string) => {
    const answer = await openai.chat.completions.create(
      { model, messages },
      { signal },
    );
    return {
      model: answer.model,
      content: answer.choices[0]?.message.content ?? "",
    };
  };
  const streamed = async (model: string) => {
    const stream = await openai.chat.completions.create(
      { model, messages, stream: true },
      { signal },
    );
    let named = "";
    let content = "";
    for await (const chunk of stream) {
      named = chunk.model;
      content += chunk.choices[0]?.delta?.content ?? "";
    }
    return { model: named, content };
  };

  // A B C whole, then A B C streamed, all sent at once.
  const order = ["a", "b", "c", "a", "b", "c"];
  const answers = await Promise.all(
    order.map((model, i) => i < 3 ? whole(model) : streamed(model)),
  );

  assert.deepEqual(answers.map((answer) => answer.model), order);
  for (let i = 0; i < 3; i++) {
    assert.ok(answers[i]!.content.length > 0);
    assert.equal(answers[i + 3]!.content, answers[i]!.content);
  }
  assert.equal(proxy.starts().length, 3);
  assert.deepEqual(proxy.starts().sort(), ["a", "b", "c"]);
});

/** A streamed chat's reasoning text and content, in the order they came. */
async function streamedChat(proxy: Harness, model: string) {
  const stream = await proxy.openai.chat.completions.create(
    { model, messages, stream: true },
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
  return { reasoning, content, contentBeforeReasoningEnded };
}

Deno.test("a streaming request to a cold model shows loading remarks, then the real tokens", async () => {
  await using proxy = await startProxy();

  const { reasoning, content, contentBeforeReasoningEnded } =
    await streamedChat(proxy, "b");

  assert.match(reasoning, /llama-swap loading model: b\n/);
  assert.ok(REMARKS.some((remark) => reasoning.includes(remark)), reasoning);
  assert.match(reasoning, /Done! \(/);
  assert.ok(content.length > 0);
  assert.equal(contentBeforeReasoningEnded, false);
});

Deno.test("a model's second cold load shows a progress estimate from its first", async () => {
  // slow loads for longer than the 3 s before the first progress figure;
  // one short remark keeps the typing out of its way.
  await using proxy = await startProxy((startPort) =>
    [
      "sendLoadingState: true",
      `startPort: ${startPort}`,
      'loadingRemarks: ["Hm."]',
      "models:",
      "  slow:",
      `    cmd: ${SIMULATE} --port \${PORT} --model slow --load-ms 4500 --tokens 4`,
      "    proxy: http://127.0.0.1:${PORT}",
      "  quick:",
      `    cmd: ${SIMULATE} --port \${PORT} --model quick --tokens 4`,
      "    proxy: http://127.0.0.1:${PORT}",
      "",
    ].join("\n")
  );
  const progress = /Loading ~(\d+)% \(usually takes (\d+\.\d)s\)/;

  const first = await streamedChat(proxy, "slow");
  // No load of slow has finished before: nothing to estimate from.
  assert.match(first.reasoning, /llama-swap loading model: slow\n/);
  assert.doesNotMatch(first.reasoning, progress);
  // quick takes slow's place (one model runs at a time without groups).
  await proxy.openai.chat.completions.create(
    { model: "quick", messages },
    { signal: proxy.signal },
  );
  const second = await streamedChat(proxy, "slow");

  const shown = progress.exec(second.reasoning);
  assert.ok(shown, second.reasoning);
  // Shown after 3 s of a load that took 4.5 s or more the first time.
  assert.ok(Number(shown[1]) > 0 && Number(shown[1]) <= 99, shown[0]);
  assert.ok(Number(shown[2]) >= 4.5, shown[0]);
  assert.ok(second.content.length > 0);
  assert.deepEqual(proxy.starts(), ["slow", "quick", "slow"]);
});

Deno.test("a client leaving mid-stream frees the model's slot and cancels upstream", async () => {
  await using proxy = await startProxy();
  await proxy.openai.chat.completions.create(
    { model: "a", messages },
    { signal: proxy.signal },
  );
  const client = new AbortController();

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
  assert.equal(await inFlight(proxy.url, "a"), 1);
  client.abort();
  await reader.cancel().catch(() => undefined); // already aborted

  // The simulator saw its request end; the proxy let go of it before that.
  await proxy.main.waitForLine(/request cancelled/);
  assert.equal(await inFlight(proxy.url, "a"), 0);
});

Deno.test("a multipart transcription routes by its form field", async () => {
  await using proxy = await startProxy();
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
  assert.deepEqual(proxy.starts(), ["c"]);
});

/**
 * The peer of the peer tests: another llama-swap with one simulated model,
 * `remote`, that only takes its own key, `peer-key`.
 */
function startPeer(dir: string, args: string[] = []): Promise<MainChild> {
  return startLlamaSwap(
    dir,
    "peer",
    [
      "apiKeys: [peer-key]",
      `startPort: ${freePortRange(1)}`,
      "models:",
      "  remote:",
      `    cmd: ${SIMULATE} --port \${PORT} --model remote --tokens 8`,
      "    proxy: http://127.0.0.1:${PORT}",
      "",
    ].join("\n"),
    { args },
  );
}

Deno.test("a peer's model is reached through llama-swap with the peer's own key and filters", async () => {
  const dir = await Deno.makeTempDir({ prefix: "llama-swap-e2e-peer-" });
  const peer = await startPeer(dir);
  let front: MainChild | null = null;
  try {
    front = await startLlamaSwap(
      dir,
      "front",
      [
        "apiKeys: [client-key]",
        "peers:",
        "  lab:",
        `    proxy: ${peer.url}`,
        "    apiKey: peer-key",
        "    models: [remote]",
        "    filters:",
        "      setParams:",
        "        max_tokens: 2",
        "",
      ].join("\n"),
    );
    const openai = new OpenAI({
      baseURL: `${front.url}/v1`,
      apiKey: "client-key",
      maxRetries: 0,
    });

    const listed = await openai.models.list();
    const answer = await openai.chat.completions.create({
      model: "lab/remote",
      messages,
    });

    assert.ok(listed.data.some((model) => model.id === "lab/remote"));
    // The peer refuses any key but its own, so the client's was replaced.
    assert.ok((answer.choices[0]?.message.content ?? "").length > 0);
    // The peer's filter capped the answer.
    assert.equal(answer.usage?.completion_tokens, 2);
  } finally {
    if (front) await stopMain(front);
    await stopMain(peer);
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a peer served over https is reached through the pooled client, its certificate checked, proxy settings or not", async () => {
  const dir = await Deno.makeTempDir({ prefix: "llama-swap-e2e-tls-peer-" });
  // Serving TLS with the test certificate.
  const peer = await startPeer(dir, [
    "--tls-cert-file",
    `${TEST_TLS_DIR}server.crt`,
    "--tls-key-file",
    `${TEST_TLS_DIR}server.key`,
  ]);
  const fronts: MainChild[] = [];
  const front = async (
    name: string,
    denoFlags: string[],
    env: Record<string, string> = {},
  ) => {
    const child = await startLlamaSwap(
      dir,
      name,
      [
        "peers:",
        "  lab:",
        `    proxy: ${peer.url}`,
        "    apiKey: peer-key",
        "    models: [remote]",
        "    timeouts: { tlsHandshake: 5 }",
        "",
      ].join("\n"),
      { denoFlags, env },
    );
    fronts.push(child);
    return new OpenAI({
      baseURL: `${child.url}/v1`,
      apiKey: "unused",
      maxRetries: 0,
    });
  };
  /** The message of the 502 a request through `client` gets. */
  const badGateway = async (client: OpenAI) => {
    const error = await client.chat.completions.create({
      model: "lab/remote",
      messages,
    }).then(() => null, (error: unknown) => error);
    assert.ok(error instanceof OpenAI.APIError, String(error));
    assert.equal(error.status, 502);
    return error.message;
  };
  try {
    assert.match(peer.url, /^https:\/\/127\.0\.0\.1:\d+$/);
    // Trusts the test CA the way a user would trust a private one.
    const trusting = await front("trusting", ["--cert", TEST_CA_PATH]);
    const answers = [];
    for (let i = 0; i < 3; i++) {
      answers.push(
        await trusting.chat.completions.create({
          model: "lab/remote",
          messages,
        }),
      );
    }
    for (const answer of answers) {
      assert.ok((answer.choices[0]?.message.content ?? "").length > 0);
    }

    // Without the CA the peer's certificate is refused: a 502 that says so.
    assert.match(
      await badGateway(await front("untrusting", [])),
      /peer proxy error: TLS handshake with 127\.0\.0\.1:\d+ failed: .*UnknownIssuer/,
    );

    // With an HTTPS_PROXY set (here one that is not there), a peer on
    // loopback is still reached directly, as llama-swap reaches it; only
    // hosts off loopback would go through fetch and the proxy.
    const proxied = await front("proxied", ["--cert", TEST_CA_PATH], {
      HTTPS_PROXY: "http://127.0.0.1:9",
      NO_PROXY: "",
      no_proxy: "",
    });
    await fronts.at(-1)!.waitForLine(
      /HTTPS_PROXY is set: https:\/\/ upstreams not on loopback go through fetch/,
    );
    const direct = await proxied.chat.completions.create({
      model: "lab/remote",
      messages,
    });
    assert.ok((direct.choices[0]?.message.content ?? "").length > 0);
  } finally {
    for (const child of fronts) await stopMain(child);
    await stopMain(peer);
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("with HTTP_PROXY set, a local model is health-checked and served directly, never through the proxy", async () => {
  const dir = await Deno.makeTempDir({ prefix: "llama-swap-e2e-http-proxy-" });
  // A proxy that is not there: anything sent through it would fail.
  const main = await startLlamaSwap(
    dir,
    "proxied",
    [
      `startPort: ${freePortRange(1)}`,
      "healthCheckTimeout: 15",
      "models:",
      "  local:",
      `    cmd: ${SIMULATE} --port \${PORT} --model local --tokens 4`,
      "    proxy: http://127.0.0.1:${PORT}",
      "",
    ].join("\n"),
    { env: { HTTP_PROXY: "http://127.0.0.1:9", NO_PROXY: "", no_proxy: "" } },
  );
  try {
    await main.waitForLine(
      /HTTP_PROXY is set: http:\/\/ upstreams not on loopback go through fetch/,
    );
    const openai = new OpenAI({
      baseURL: `${main.url}/v1`,
      apiKey: "unused",
      maxRetries: 0,
    });

    const answer = await openai.chat.completions.create({
      model: "local",
      messages,
    });

    assert.ok((answer.choices[0]?.message.content ?? "").length > 0);
  } finally {
    await stopMain(main);
    await Deno.remove(dir, { recursive: true });
  }
});
