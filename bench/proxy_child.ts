/**
 * Runs the proxy as a real child process (`main.ts --config <file>`), so
 * benchmarks can read its RSS from /proc and tests can kill it outright.
 */
import { delay, selfCommand } from "../lib/mod.ts";
import { freePortRange } from "../tests/free_ports.ts";

export interface ProxyChildOptions {
  /**
   * The `config.yaml` text, written to a temporary file (with a free
   * `startPort` added when it has none, see `withStartPort()`).
   */
  readonly configText: string;
  /** Data directory (process registry); default a temporary one. */
  readonly dataDir?: string;
  /** Port to listen on, on 127.0.0.1; default a port that was free. */
  readonly port?: number;
  /** More command-line flags, e.g. `["--log-level", "debug"]`. */
  readonly args?: readonly string[];
}

/** A proxy child. Dispose of it (`await using`) when done. */
export interface ProxyChild extends AsyncDisposable {
  readonly pid: number;
  /** `performance.now()` right after the spawn. */
  readonly spawnedAt: number;
  readonly dataDir: string;
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /**
   * Resolves with `url` once the proxy logs that it listens or answers
   * `GET /health` (for configs whose log level hides the line); rejects
   * when it exits first.
   */
  readonly listening: Promise<string>;
  /** Settles when the child exits. */
  readonly status: Promise<Deno.CommandStatus>;
  /** The last 256 KiB of its stdout and stderr, interleaved. */
  output(): string;
  /** Resolves with the first output line (old or new) containing `text`. */
  waitForLine(text: string): Promise<string>;
  /** Sends `signal` to the proxy; false when it had already exited. */
  kill(signal?: Deno.Signal): boolean;
}

/** Output kept for `output()` and `waitForLine()`. */
const KEPT_OUTPUT_CHARS = 256 * 1024;
/** How long disposal waits for a graceful exit before SIGKILL. */
const EXIT_GRACE_MS = 15_000;
/** How often `/health` is tried while waiting for the proxy to listen. */
const HEALTH_POLL_MS = 25;

/**
 * Writes the config to a temporary directory and spawns the proxy with
 * `--listen 127.0.0.1:<port>`; returns at once (see `listening`).
 *
 * Disposal sends SIGTERM (the proxy then stops its models), SIGKILL after
 * 15 s, waits for the exit, and removes the temporary directory, and the
 * data directory when it made one.
 */
export async function spawnProxyChild(
  options: ProxyChildOptions,
): Promise<ProxyChild> {
  const tempDir = await Deno.makeTempDir({ prefix: "llama-swap-bench-" });
  const dataDir = options.dataDir ?? `${tempDir}/data`;
  const configPath = `${tempDir}/config.yaml`;
  await Deno.writeTextFile(configPath, withStartPort(options.configText));

  const port = options.port ?? freePort();
  const [command, ...selfArgs] = selfCommand();
  const child = new Deno.Command(command!, {
    args: [
      ...selfArgs,
      "--config",
      configPath,
      "--listen",
      `127.0.0.1:${port}`,
      "--data-dir",
      dataDir,
      ...(options.args ?? []),
    ],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  return new RunningProxy(child, `http://127.0.0.1:${port}`, {
    tempDir,
    dataDir,
  });
}

/** `spawnProxyChild()`, resolving once the proxy listens. */
export async function startProxyChild(
  options: ProxyChildOptions,
): Promise<ProxyChild> {
  const proxy = await spawnProxyChild(options);
  try {
    await proxy.listening;
    return proxy;
  } catch (error) {
    await proxy[Symbol.asyncDispose]();
    throw error;
  }
}

class RunningProxy implements ProxyChild {
  readonly pid: number;
  readonly spawnedAt = performance.now();
  readonly dataDir: string;
  readonly url: string;
  readonly listening: Promise<string>;
  readonly status: Promise<Deno.CommandStatus>;
  readonly #child: Deno.ChildProcess;
  readonly #tempDir: string;
  readonly #drained: Promise<void>;
  readonly #waiters = new Set<() => void>();
  #text = "";
  #closed = false;
  #exited = false;

  constructor(
    child: Deno.ChildProcess,
    url: string,
    dirs: { tempDir: string; dataDir: string },
  ) {
    this.#child = child;
    this.url = url;
    this.#tempDir = dirs.tempDir;
    this.dataDir = dirs.dataDir;
    this.pid = child.pid;
    this.status = child.status.then((status) => {
      this.#exited = true;
      return status;
    });
    this.#drained = Promise.all([
      this.#drain(child.stdout),
      this.#drain(child.stderr),
    ]).then(() => {
      this.#closed = true;
      this.#notify();
    });
    this.listening = this.#waitForListening();
    this.listening.catch(() => {});
  }

  async #waitForListening(): Promise<string> {
    let listening = false;
    const line = this.waitForLine("listening url=").then(
      () => listening = true,
      () => {},
    );
    while (!listening && !this.#exited) {
      if (await answersHealth(this.url)) break;
      const pause = new AbortController();
      const waited = delay(HEALTH_POLL_MS, { signal: pause.signal });
      await Promise.race([line, this.status, waited.catch(() => {})]);
      pause.abort(); // no timer outlives the wait
    }
    if (this.#exited) {
      const tail = this.#text.trim().split("\n").slice(-5).join("\n");
      throw new Error(`Cannot start the proxy: it exited first:\n${tail}`);
    }
    return this.url;
  }

  output(): string {
    return this.#text;
  }

  waitForLine(text: string): Promise<string> {
    const { promise, resolve, reject } = Promise.withResolvers<string>();
    promise.catch(() => {});
    const check = () => {
      const complete = this.#closed
        ? this.#text
        : this.#text.slice(0, this.#text.lastIndexOf("\n") + 1);
      const line = complete.split("\n").find((l) => l.includes(text));
      if (line !== undefined) resolve(line);
      else if (this.#closed) reject(new Error(`no output line has "${text}"`));
      else return;
      this.#waiters.delete(check);
    };
    this.#waiters.add(check);
    check();
    return promise;
  }

  kill(signal: Deno.Signal = "SIGTERM"): boolean {
    if (this.#exited) return false;
    try {
      this.#child.kill(signal);
      return true;
    } catch (error) {
      if (error instanceof TypeError) return false; // exited just now
      throw error;
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.kill("SIGTERM");
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<"late">((resolve) => {
      timer = setTimeout(() => resolve("late"), EXIT_GRACE_MS);
    });
    const outcome = await Promise.race([this.status, late]);
    clearTimeout(timer);
    if (outcome === "late") this.kill("SIGKILL");
    await this.status;
    await this.#drained;
    await Deno.remove(this.#tempDir, { recursive: true });
  }

  async #drain(stream: ReadableStream<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    for await (const chunk of stream) {
      this.#text += decoder.decode(chunk, { stream: true });
      if (this.#text.length > KEPT_OUTPUT_CHARS * 2) {
        this.#text = this.#text.slice(-KEPT_OUTPUT_CHARS);
      }
      if (this.#waiters.size > 0) this.#notify();
    }
  }

  #notify(): void {
    for (const check of [...this.#waiters]) check();
  }
}

/** A loopback port that was free a moment ago. */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr;
  listener.close();
  return port;
}

/** `text` with a `startPort` line where ten free ports begin, unless it has one. */
export function withStartPort(text: string): string {
  if (/^startPort:/m.test(text)) return text;
  return `startPort: ${freePortRange(10)}\n${text}`;
}

/** True when `GET <url>/health` answers 200. */
async function answersHealth(url: string): Promise<boolean> {
  try {
    const response = await fetch(`${url}/health`);
    await response.body?.cancel();
    return response.ok;
  } catch (error) {
    if (error instanceof TypeError) return false; // not listening yet
    throw error;
  }
}
