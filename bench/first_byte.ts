/**
 * From a model's health check turning 200 to the first byte its waiting
 * client receives through the proxy.
 *
 *     deno run -A bench/first_byte.ts [--runs 10]
 */
import { parseArgs } from "node:util";
import { startHarness } from "./harness.ts";
import { type Distribution, distribution } from "./stats.ts";

export interface FirstByteOptions {
  /** Loads to measure; default 10. */
  readonly runs?: number;
  /** Simulated load time; each run adds up to 100 ms of jitter. */
  readonly loadMs?: number;
}

export interface FirstByteFigures {
  readonly runs: number;
  readonly loadMs: number;
  /** Health 200 possible to the client's first response byte, ms. */
  readonly delay: Distribution;
}

const LOAD_JITTER_MS = 100;

/**
 * Loads a model `runs` times through an in-process proxy. The model's
 * command is a `sleep`; its HTTP side is served here, so the instant its
 * `/health` starts answering 200 is known exactly. Each run sends one
 * request for the stopped model and times the first byte of the answer.
 */
export async function runFirstByteBench(
  options: FirstByteOptions = {},
): Promise<FirstByteFigures> {
  const runs = options.runs ?? 10;
  const loadMs = options.loadMs ?? 300;
  let healthyAt = Infinity;
  const upstream = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    (request) => {
      if (new URL(request.url).pathname === "/health") {
        return performance.now() < healthyAt
          ? new Response("loading", { status: 503 })
          : new Response("ok");
      }
      return Response.json({ choices: [{ message: { content: "hi" } }] });
    },
  );

  const delays: number[] = [];
  try {
    await using proxy = await startHarness({
      configText: [
        "logLevel: warn",
        "models:",
        "  timed:",
        "    cmd: sleep 60",
        `    proxy: http://127.0.0.1:${upstream.addr.port}`,
        "    unloadTimeout: 1",
        "",
      ].join("\n"),
    });
    for (let run = 0; run < runs; run++) {
      healthyAt = performance.now() + loadMs + Math.random() * LOAD_JITTER_MS;
      const response = await fetch(`${proxy.url}/v1/chat/completions`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ model: "timed", messages: [] }),
      });
      const reader = response.body!.getReader();
      await reader.read();
      delays.push(performance.now() - healthyAt);
      await reader.cancel();
      await proxy.server.runtime.router.unload();
    }
  } finally {
    await upstream.shutdown();
  }
  return { runs, loadMs, delay: distribution(delays) };
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: { runs: { type: "string", default: "10" } },
  });
  const figures = await runFirstByteBench({ runs: Number(values.runs) });
  const d = figures.delay;
  const line = `health 200 to first byte: median ${d.median.toFixed(1)} ms, ` +
    `p95 ${d.p95.toFixed(1)} ms, max ${
      d.max.toFixed(1)
    } ms (${figures.runs} loads)\n`;
  Deno.stdout.writeSync(new TextEncoder().encode(line));
}
