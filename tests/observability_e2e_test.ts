/**
 * Observability of a whole `ProxyServer` in front of simulated models (real
 * child processes): activity entries carry the simulator's own token
 * counts, `/api/events` shows a load as it happens, `/metrics` counts the
 * swaps, and activity outlives a restart on the same data directory.
 */
import assert from "node:assert/strict";
import { loadConfig } from "../config/mod.ts";
import { selfCommand, shellQuote } from "../lib/mod.ts";
import { createObservability, parsePrometheusText } from "../observe/mod.ts";
import { ProxyServer } from "../serve/mod.ts";
import { freePortRange } from "./free_ports.ts";

/** Abandons a run that hangs instead of letting it block the suite. */
const TEST_DEADLINE_MS = 60_000;

/** Two simulated models in one swapping group: one runs at a time. */
function testConfig() {
  const simulate = shellQuote([...selfCommand(), "simulate"]);
  const model = (id: string) =>
    `  ${id}:\n` +
    `    cmd: ${simulate} --port \${PORT} --model ${id} --tokens 8\n` +
    "    proxy: http://127.0.0.1:${PORT}\n" +
    "    unloadTimeout: 2\n";
  const loaded = loadConfig([
    "healthCheckTimeout: 30",
    `startPort: ${freePortRange(2)}`,
    "models:",
    model("m1") + model("m2"),
    "groups:",
    "  pair:",
    "    swap: true",
    "    members: [m1, m2]",
    "",
  ].join("\n"));
  if (!loaded.ok) {
    throw new Error(
      `Cannot load test config: ${JSON.stringify(loaded.errors)}`,
    );
  }
  return loaded.config;
}

function startServer(dataDir: string): Promise<ProxyServer> {
  return ProxyServer.start({
    config: testConfig(),
    hostname: "127.0.0.1",
    port: 0,
    dataDir,
    buildInfo: { version: "test", commit: "test", buildDate: "test" },
    observability: createObservability,
  });
}

interface EventMessage {
  type: string;
  data: unknown;
}

/** Reads `/api/events` frames one message at a time. */
class EventReader {
  #reader: ReadableStreamDefaultReader<Uint8Array>;
  #decoder = new TextDecoder();
  #pending = "";

  constructor(body: ReadableStream<Uint8Array>) {
    this.#reader = body.getReader();
  }

  async next(): Promise<EventMessage> {
    for (;;) {
      const end = this.#pending.indexOf("\n\n");
      if (end >= 0) {
        const frame = this.#pending.slice(0, end);
        this.#pending = this.#pending.slice(end + 2);
        const data = frame.split("\n").find((line) => line.startsWith("data:"));
        const envelope = JSON.parse(data!.slice("data:".length));
        return { type: envelope.type, data: JSON.parse(envelope.data) };
      }
      const { value, done } = await this.#reader.read();
      if (done) throw new Error("Cannot read an event: the stream ended");
      this.#pending += this.#decoder.decode(value, { stream: true });
    }
  }

  cancel(): Promise<void> {
    return this.#reader.cancel();
  }
}

interface Usage {
  input: number;
  output: number;
}

/** What the simulator said it used: llama-server timings win over usage. */
function reportedUsage(reply: Record<string, unknown>): Usage {
  const usage = reply.usage as Record<string, number>;
  const timings = reply.timings as Record<string, number> | undefined;
  return {
    input: timings?.prompt_n ?? usage.prompt_tokens!,
    output: timings?.predicted_n ?? usage.completion_tokens!,
  };
}

function chatRequest(model: string, stream: boolean, signal: AbortSignal) {
  return {
    method: "POST",
    headers: {
      "Content-Type": "application/json",
      "Authorization": "Bearer e2e-secret",
    },
    body: JSON.stringify({
      model,
      stream,
      messages: [{ role: "user", content: "Count to eight for me" }],
    }),
    signal,
  };
}

Deno.test("a proxy server records activity, model status and swaps, and keeps activity over a restart", async (t) => {
  const dataDir = await Deno.makeTempDir();
  const deadline = AbortSignal.timeout(TEST_DEADLINE_MS);
  const servers: ProxyServer[] = [];
  try {
    const server = await startServer(dataDir);
    servers.push(server);
    const url = server.url;
    const reported: Usage[] = [];

    await t.step("/api/events shows m1 starting, then ready", async () => {
      const res = await fetch(`${url}/api/events`, { signal: deadline });
      const events = new EventReader(res.body!);
      const states: string[] = [];
      const m1State = (message: EventMessage) =>
        (message.data as { id: string; state: string }[])
          .find((model) => model.id === "m1")?.state;

      const first = await events.next();
      assert.equal(first.type, "logData");
      const chat = fetch(
        `${url}/v1/chat/completions`,
        chatRequest("m1", false, deadline),
      );
      while (states.at(-1) !== "ready") {
        const message = await events.next();
        if (message.type !== "modelStatus") continue;
        const state = m1State(message)!;
        if (state !== states.at(-1)) states.push(state);
      }
      await events.cancel();
      const reply = await (await chat).json();
      reported.push(reportedUsage(reply));

      assert.deepEqual(states, ["stopped", "starting", "ready"]);
    });

    await t.step("a streamed chat request is recorded too", async () => {
      const res = await fetch(
        `${url}/v1/chat/completions`,
        chatRequest("m1", true, deadline),
      );
      const text = await res.text();
      const last = text.split("\n")
        .filter((line) => line.startsWith("data: {"))
        .map((line) => JSON.parse(line.slice("data: ".length)))
        .findLast((event) => event.usage || event.timings);

      assert.equal(res.headers.get("content-type"), "text/event-stream");
      reported.push(reportedUsage(last));
    });

    await t.step(
      "activity entries hold the simulator's token counts",
      async () => {
        const res = await fetch(`${url}/api/metrics/activity?order=asc`, {
          signal: deadline,
        });
        const page = await res.json();

        assert.equal(page.total, 2);
        assert.deepEqual(
          page.data.map((entry: { tokens: Record<string, number> }) => ({
            input: entry.tokens.input_tokens,
            output: entry.tokens.output_tokens,
          })),
          reported,
        );
        assert.equal(reported[0]!.output, 8);
        assert.equal(page.data[0].resp_content_type, "application/json");
        assert.equal(page.data[1].resp_content_type, "text/event-stream");
        assert.ok(page.data[1].ttft_ms >= 0);
        assert.ok(
          page.data.every((entry: { model: string }) => entry.model === "m1"),
        );
      },
    );

    await t.step(
      "captures read after their requests ended show the headers redacted",
      async () => {
        const page = await (await fetch(
          `${url}/api/metrics/activity?order=asc`,
          { signal: deadline },
        )).json();
        const captures = [];
        for (const entry of page.data) {
          const res = await fetch(`${url}/api/captures/${entry.id}`, {
            signal: deadline,
          });
          captures.push(await res.json());
        }

        for (const capture of captures) {
          assert.equal(capture.req_headers["Authorization"], "[REDACTED]");
          assert.equal(capture.req_headers["Content-Type"], "application/json");
          assert.match(atob(capture.req_body), /Count to eight/);
        }
        assert.match(captures[0].resp_headers["Content-Type"], /json/);
        assert.equal(
          captures[1].resp_headers["Content-Type"],
          "text/event-stream",
        );
        assert.match(atob(captures[1].resp_body), /^data: /);
      },
    );

    await t.step(
      "/metrics counts two swaps after loading m1, then m2",
      async () => {
        const chat = await fetch(
          `${url}/v1/chat/completions`,
          chatRequest("m2", false, deadline),
        );
        await chat.body?.cancel();
        const res = await fetch(`${url}/metrics`, { signal: deadline });
        const exposition = parsePrometheusText(await res.text());
        const sum = (name: string) =>
          exposition.samples.filter((sample) => sample.name === name)
            .reduce((total, sample) => total + sample.value, 0);
        const state = (model: string, state: string) =>
          exposition.samples.find((sample) =>
            sample.name === "llamaswap_model_state" &&
            sample.labels.model === model && sample.labels.state === state
          )?.value;

        assert.equal(chat.status, 200);
        assert.equal(sum("llamaswap_swaps_total"), 2);
        assert.equal(sum("llamaswap_load_failures_total"), 0);
        assert.equal(state("m2", "ready"), 1);
        assert.equal(state("m1", "ready"), 0);
      },
    );

    await server.shutdown(5_000);

    await t.step(
      "activity survives a restart on the same data directory",
      async () => {
        const restarted = await startServer(dataDir);
        servers.push(restarted);
        const res = await fetch(`${restarted.url}/api/metrics/activity`, {
          signal: deadline,
        });
        const page = await res.json();

        assert.equal(page.total, 3);
        assert.deepEqual(
          page.data.map((entry: { model: string }) => entry.model),
          ["m2", "m1", "m1"],
        );
      },
    );
  } finally {
    for (const server of servers) await server.shutdown(5_000);
    await Deno.remove(dataDir, { recursive: true });
  }
});
