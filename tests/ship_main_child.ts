/**
 * Shared by the `ship_*` end-to-end tests: runs `main.ts` as a real child
 * process (as a service manager would), reads its log lines, and writes
 * config entries for simulated models on free ports.
 */
import { deferred, selfCommand, shellQuote } from "../lib/mod.ts";
import { freePort, isGone } from "./process_fixtures.ts";

/** The path of `main.ts`. */
export const MAIN = new URL("../main.ts", import.meta.url).pathname;

/** A running `main.ts`. Dispose of it (`await using`) when done. */
export interface MainChild extends AsyncDisposable {
  readonly pid: number;
  /** `http://127.0.0.1:<port>` once it listens (`https` with TLS). */
  readonly url: string;
  readonly status: Promise<Deno.CommandStatus>;
  /** Everything written to stdout and stderr so far. */
  output(): string;
  /** Resolves with the first output line (old or new) matching `pattern`. */
  waitForLine(pattern: RegExp): Promise<string>;
  /** Sends `signal`; does nothing once it has exited. */
  kill(signal: Deno.Signal): void;
}

/**
 * Starts `main.ts` with `args` plus `--listen 127.0.0.1:0`, and resolves
 * once it logged the address it listens on. Rejects (after killing it)
 * when it exits first. `command` replaces `deno run --allow-all main.ts`,
 * e.g. with a compiled binary.
 */
export async function startMain(
  args: readonly string[],
  command: readonly string[] = [Deno.execPath(), "run", "--allow-all", MAIN],
): Promise<MainChild> {
  const [program, ...before] = command;
  const child = new Deno.Command(program!, {
    args: [...before, ...args, "--listen", "127.0.0.1:0"],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const running = new RunningMain(child);
  try {
    const line = await running.waitForLine(/listening url=(\S+)/);
    running.url = /listening url=(\S+)/.exec(line)![1]!;
    return running;
  } catch (error) {
    await running[Symbol.asyncDispose]();
    throw new Error(
      `Cannot start main.ts: ${running.output().slice(-2000)}`,
      { cause: error },
    );
  }
}

class RunningMain implements MainChild {
  url = "";
  readonly pid: number;
  readonly status: Promise<Deno.CommandStatus>;
  readonly #child: Deno.ChildProcess;
  #text = "";
  #closed = false;
  readonly #drained: Promise<void>;
  readonly #waiters = new Set<() => void>();

  constructor(child: Deno.ChildProcess) {
    this.#child = child;
    this.pid = child.pid;
    this.status = child.status;
    this.#drained = Promise.all([
      this.#drain(child.stdout),
      this.#drain(child.stderr),
    ]).then(() => {
      this.#closed = true;
      this.#notify();
    });
  }

  output(): string {
    return this.#text;
  }

  waitForLine(pattern: RegExp): Promise<string> {
    const found = deferred<string>();
    const check = () => {
      const complete = this.#closed
        ? this.#text
        : this.#text.slice(0, this.#text.lastIndexOf("\n") + 1);
      const line = complete.split("\n").find((l) => pattern.test(l));
      if (line !== undefined) found.resolve(line);
      else if (this.#closed) {
        found.reject(new Error(`No output line matches ${pattern}`));
      } else return;
      this.#waiters.delete(check);
    };
    this.#waiters.add(check);
    check();
    return found.promise;
  }

  kill(signal: Deno.Signal): void {
    try {
      this.#child.kill(signal);
    } catch (error) {
      if (!(error instanceof TypeError)) throw error; // it exited already
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.kill("SIGKILL");
    await this.status;
    await this.#drained;
  }

  async #drain(stream: ReadableStream<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    for await (const chunk of stream) {
      this.#text += decoder.decode(chunk, { stream: true });
      this.#notify();
    }
  }

  #notify(): void {
    for (const check of [...this.#waiters]) check();
  }
}

/** How long `stopMain()` waits after SIGTERM before it sends SIGKILL. */
const STOP_GRACE_MS = 10_000;

/**
 * Stops `main` as a service manager would: SIGTERM, on which it stops its
 * models before it exits, then SIGKILL if it is still there after a grace
 * period. Resolves once it has exited and its output is read.
 */
export async function stopMain(main: MainChild): Promise<void> {
  main.kill("SIGTERM");
  const late = setTimeout(() => main.kill("SIGKILL"), STOP_GRACE_MS);
  try {
    await main.status;
  } finally {
    clearTimeout(late);
    await main[Symbol.asyncDispose]();
  }
}

/** A config entry for a simulated model on `port` (default: a free one). */
export function simulatedModel(
  id: string,
  args: readonly string[] = [],
  port: number = freePort(),
): string {
  const cmd = shellQuote([
    ...selfCommand(),
    "simulate",
    "--port",
    String(port),
    "--model",
    id,
    ...args,
  ]);
  return [
    `  ${id}:`,
    `    cmd: ${cmd}`,
    `    proxy: http://127.0.0.1:${port}`,
    "    unloadTimeout: 3",
    "",
  ].join("\n");
}

/** The PIDs a simulator wrote to its `--pid-file`. */
export async function recordedPids(pidFile: string): Promise<number[]> {
  const text = await Deno.readTextFile(pidFile);
  const recorded = JSON.parse(text) as { pid: number; grandchildPid?: number };
  return [recorded.pid, recorded.grandchildPid]
    .filter((pid): pid is number => typeof pid === "number");
}

/** Kills what a test left behind by PID; gone processes are skipped. */
export function killLeftovers(pids: readonly number[]): void {
  for (const pid of pids) {
    if (isGone(pid)) continue;
    try {
      Deno.kill(pid, "SIGKILL");
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
  }
}

/**
 * POSTs a chat completion for `model` and returns the response; with
 * `maxTokens` the reply is cut short (a quick way to load a model).
 */
export function chat(
  url: string,
  model: string,
  options: { stream?: boolean; maxTokens?: number; signal?: AbortSignal } = {},
): Promise<Response> {
  return fetch(`${url}/v1/chat/completions`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({
      model,
      stream: options.stream ?? false,
      messages: [{ role: "user", content: "hello there" }],
      ...(options.maxTokens ? { max_tokens: options.maxTokens } : {}),
    }),
    ...(options.signal ? { signal: options.signal } : {}),
  });
}
