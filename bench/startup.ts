/**
 * Start-up: time from spawning the proxy to its first `/health` answer,
 * its idle RSS, and the size of the compiled binary.
 *
 *     deno run -A bench/startup.ts [--quick]
 */
import { parseArgs } from "node:util";
import { delay, selfCommand } from "../lib/mod.ts";
import { simulateCommand } from "./harness.ts";
import { readMemory } from "./proc_status.ts";
import { freePort, spawnProxyChild } from "./proxy_child.ts";
import {
  figure,
  formatSection,
  mib,
  ms,
  type ResultSection,
} from "./report.ts";
import { median } from "./stats.ts";

export interface StartupBenchOptions {
  readonly quick?: boolean;
}

export interface StartupFigures {
  readonly runs: number;
  /** Spawn to first `/health` 200, each run, ms. */
  readonly listenMs: readonly number[];
  /**
   * Baseline: spawn to exit of `main.ts --version` (Deno starts and loads
   * the same module graph, serves nothing), each run, ms.
   */
  readonly versionMs: readonly number[];
  /** RSS one second after listening, each run, KiB. */
  readonly idleKiB: readonly number[];
  /** Size of the `deno compile` binary in bytes, or why it is missing. */
  readonly binary: { readonly bytes: number } | { readonly missing: string };
}

/** How often `/health` is tried while the proxy starts. */
const POLL_MS = 2;
/** Idle time before the RSS is read. */
const SETTLE_MS = 1000;
const CONFIG = [
  "models:",
  "  demo:",
  `    cmd: ${simulateCommand("--model demo")}`,
  "    proxy: http://127.0.0.1:${PORT}",
  "",
].join("\n");

/** Starts the proxy `runs` times (5, or 2 with `quick`) and compiles it once. */
export async function runStartupBench(
  options: StartupBenchOptions = {},
): Promise<StartupFigures> {
  const runs = options.quick ? 2 : 5;
  const listenMs: number[] = [];
  const idleKiB: number[] = [];
  const versionMs: number[] = [];
  for (let run = 0; run < runs; run++) {
    versionMs.push(await timeVersion());
    await using proxy = await spawnProxyChild({
      configText: CONFIG,
      port: freePort(),
    });
    listenMs.push(await firstHealth(proxy.url, proxy.status) - proxy.spawnedAt);
    await delay(SETTLE_MS);
    idleKiB.push(readMemory(proxy.pid)?.rssKiB ?? 0);
  }
  return {
    runs,
    listenMs,
    versionMs,
    idleKiB,
    binary: await compiledSize(),
  };
}

/** ms from spawning `main.ts --version` to its exit. */
async function timeVersion(): Promise<number> {
  const [command, ...args] = selfCommand();
  const started = performance.now();
  const result = await new Deno.Command(command!, {
    args: [...args, "--version"],
    stdout: "null",
    stderr: "null",
  }).output();
  if (!result.success) {
    throw new Error(`Cannot time "--version": exit code ${result.code}`);
  }
  return performance.now() - started;
}

/** Polls `GET /health`; resolves with `performance.now()` of the first 200. */
async function firstHealth(
  url: string,
  exited: Promise<Deno.CommandStatus>,
): Promise<number> {
  let gone = false;
  exited.then(() => gone = true);
  while (!gone) {
    try {
      const response = await fetch(`${url}/health`);
      await response.body?.cancel();
      if (response.ok) return performance.now();
    } catch (error) {
      if (!(error instanceof TypeError)) throw error; // not listening yet
    }
    await delay(POLL_MS);
  }
  throw new Error("Cannot time the start-up: the proxy exited first");
}

/** Compiles `main.ts` into a temporary file and measures it. */
async function compiledSize(): Promise<StartupFigures["binary"]> {
  const dir = await Deno.makeTempDir({ prefix: "llama-swap-compile-" });
  try {
    const output = `${dir}/llama-swap`;
    const main = new URL("../main.ts", import.meta.url).pathname;
    const result = await new Deno.Command(Deno.execPath(), {
      args: ["compile", "--allow-all", "--output", output, main],
      stdout: "piped",
      stderr: "piped",
    }).output();
    if (!result.success) {
      const text = new TextDecoder().decode(result.stderr);
      const reason = text.split("\n").map((l) => l.trim())
        .filter((l) => /error/i.test(l)).slice(-2).join("; ");
      return {
        missing:
          `not measured: deno compile's runtime could not be downloaded here (${reason})`,
      };
    }
    return { bytes: (await Deno.stat(output)).size };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** The figures as a results section. */
export function startupSection(f: StartupFigures): ResultSection {
  const binary = "bytes" in f.binary
    ? mib(f.binary.bytes / 1024)
    : f.binary.missing;
  return {
    title: "Start-up",
    method: `
\`main.ts --config <temp>\` (one simulated model, not preloaded) is spawned
as a child process under \`deno run\` ${f.runs} times; the time runs from
the spawn to the first \`GET /health\` that answers 200 (polled every
${POLL_MS} ms), and the idle RSS (VmRSS) is read ${SETTLE_MS / 1000} s
later. The baseline is \`main.ts --version\` under the same \`deno run\`:
Deno's start and the loading of the same modules, with nothing served.
The binary size is that of \`deno compile\` on \`main.ts\`.
`,
    rows: [
      figure("spawn to listening, median", ms(median(f.listenMs))),
      figure(
        "baseline: spawn to exit of --version, median",
        ms(median(f.versionMs)),
      ),
      figure("idle RSS after start, median", mib(median(f.idleKiB))),
      figure("compiled binary size", binary),
    ],
    headline: [
      "spawn to listening, median",
      "baseline: spawn to exit of --version, median",
      "idle RSS after start, median",
      "compiled binary size",
    ],
    detail: `Each run, spawn to listening: ${
      f.listenMs.map((v) => v.toFixed(0)).join(", ")
    } ms.`,
  };
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: { quick: { type: "boolean", default: false } },
  });
  const section = startupSection(
    await runStartupBench({ quick: values.quick }),
  );
  Deno.stdout.writeSync(new TextEncoder().encode(formatSection(section)));
}
