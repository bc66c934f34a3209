/**
 * Runs the simulator as a real child process, for this folder's tests and
 * every end-to-end test that needs an upstream.
 */
import { selfCommand } from "../lib/mod.ts";
import { message } from "./http.ts";

/** How to start a simulator child. */
export interface StartSimulatorOptions {
  /**
   * Flags after `simulate`, e.g. `["--load-ms", "200"]`. `--port 0` is
   * added unless the flags name a port.
   */
  readonly args?: readonly string[];
  /**
   * Start the child as the leader of its own process group (default true),
   * as the proxy starts upstreams, so `killGroup()` and disposal also reach
   * a grandchild. With false the child shares the test's group.
   */
  readonly processGroup?: boolean;
  /** Extra environment variables for the child. */
  readonly env?: Readonly<Record<string, string>>;
  /** Give up when the child has not listened after this long (default 30 s). */
  readonly listenTimeoutMs?: number;
}

/** A running simulator child. Dispose of it (`await using`) when done. */
export interface SimulatorProcess extends AsyncDisposable {
  readonly port: number;
  /** `http://127.0.0.1:<port>`, without a trailing slash. */
  readonly url: string;
  readonly pid: number;
  /** Settles when the child exits. */
  readonly status: Promise<Deno.CommandStatus>;
  /**
   * Settles when both pipes are closed: the child and every process that
   * shares its output (a grandchild) have exited.
   */
  readonly closed: Promise<void>;
  /** Everything the child (and any grandchild) wrote to stdout so far. */
  stdoutText(): string;
  /** Everything written to stderr so far. */
  stderrText(): string;
  /**
   * Resolves with the first line of stdout or stderr (old or new) that
   * contains `text`; rejects when both pipes close without one.
   */
  waitForLine(text: string): Promise<string>;
  /** Sends `signal` to the child; false when it had already exited. */
  kill(signal?: Deno.Signal): boolean;
  /**
   * Sends `signal` to the child's whole process group; false when the group
   * is gone. Needs `processGroup` (the default).
   */
  killGroup(signal?: Deno.Signal): boolean;
}

const LISTENING = /simulator listening on (http:\/\/\S+)/;

/**
 * Starts `simulate` through this program's own entry (`selfCommand()`), so
 * it works under `deno run` and from a compiled binary, and resolves once the
 * child is listening.
 *
 * Both pipes are drained from the start, so a chatty child never blocks.
 * Disposal SIGKILLs the child (its whole group with `processGroup`), waits
 * for its exit and closes the pipes. Rejects, after cleaning up, when the
 * child exits or stays silent past `listenTimeoutMs` before listening.
 */
export async function startSimulator(
  options: StartSimulatorOptions = {},
): Promise<SimulatorProcess> {
  const flags = [...(options.args ?? [])];
  if (!flags.some((flag) => flag === "--port" || flag.startsWith("--port="))) {
    flags.push("--port", "0");
  }
  const processGroup = options.processGroup ?? true;
  const [command, ...selfArgs] = selfCommand();
  const child = new Deno.Command(command!, {
    args: [...selfArgs, "simulate", ...flags],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    detached: processGroup,
    ...(options.env ? { env: { ...options.env } } : {}),
  }).spawn();

  const output = new ChildOutput(child);
  const handle = new RunningSimulator(child, output, processGroup);
  try {
    const url = await output.listeningUrl(options.listenTimeoutMs ?? 30_000);
    handle.url = url;
    handle.port = Number(new URL(url).port);
    return handle;
  } catch (error) {
    await handle[Symbol.asyncDispose]();
    const stderr = output.stderr.trim().split("\n").slice(-5).join("\n");
    throw new Error(`Cannot start the simulator: ${message(error)}`, {
      cause: stderr === "" ? error : new Error(stderr, { cause: error }),
    });
  }
}

/** Collects a child's stdout and stderr and answers waits on lines. */
class ChildOutput {
  stdout = "";
  stderr = "";
  readonly #child: Deno.ChildProcess;
  readonly #waiters = new Set<() => void>();
  readonly #readers: ReadableStreamDefaultReader<Uint8Array>[] = [];
  readonly closed: Promise<void>;
  #isClosed = false;

  constructor(child: Deno.ChildProcess) {
    this.#child = child;
    this.closed = Promise.all([
      this.#drain(child.stdout, (text) => this.stdout += text),
      this.#drain(child.stderr, (text) => this.stderr += text),
    ]).then(() => {
      this.#isClosed = true;
      this.#notify();
    });
  }

  /** Resolves with the first line containing `text`, old or new. */
  waitForLine(text: string): Promise<string> {
    return this.#waitFor((all) => {
      const line = all.split("\n").find((l) => l.includes(text));
      return line ?? null;
    }, `no output line contains "${text}"`);
  }

  /**
   * The URL of the listening line, once the child has written it. Rejects
   * with the exit code when the output closes without it, or after
   * `timeoutMs`.
   */
  listeningUrl(timeoutMs: number): Promise<string> {
    const { promise, resolve, reject } = Promise.withResolvers<string>();
    const timer = setTimeout(
      () => reject(new Error(`it did not listen within ${timeoutMs} ms`)),
      timeoutMs,
    );
    this.#waitFor((all) => LISTENING.exec(all)?.[1] ?? null, "").then(
      resolve,
      async () => {
        const { code } = await this.#child.status;
        reject(new Error(`it exited with code ${code} before listening`));
      },
    );
    return promise.finally(() => clearTimeout(timer));
  }

  /** Stops reading, for a grandchild that keeps the pipes open. */
  async cancel(): Promise<void> {
    await Promise.all(this.#readers.map((reader) => reader.cancel()));
  }

  #waitFor(
    find: (all: string) => string | null,
    failure: string,
  ): Promise<string> {
    const { promise, resolve, reject } = Promise.withResolvers<string>();
    promise.catch(() => {});
    const check = () => {
      const found = find(
        `${this.#lines(this.stdout)}${this.#lines(this.stderr)}`,
      );
      if (found !== null) resolve(found);
      else if (this.#isClosed) reject(new Error(failure));
      else return;
      this.#waiters.delete(check);
    };
    this.#waiters.add(check);
    check();
    return promise;
  }

  async #drain(
    stream: ReadableStream<Uint8Array>,
    append: (text: string) => void,
  ): Promise<void> {
    const decoder = new TextDecoder();
    const reader = stream.getReader();
    this.#readers.push(reader);
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      append(decoder.decode(value, { stream: true }));
      this.#notify();
    }
    append(decoder.decode());
  }

  /** The finished lines of `text` (all of it once the output closed). */
  #lines(text: string): string {
    if (this.#isClosed) return text.endsWith("\n") ? text : `${text}\n`;
    return text.slice(0, text.lastIndexOf("\n") + 1);
  }

  #notify(): void {
    for (const check of [...this.#waiters]) check();
  }
}

/** How long disposal waits for a grandchild to let go of the pipes. */
const PIPE_CLOSE_GRACE_MS = 2_000;

class RunningSimulator implements SimulatorProcess {
  port = 0;
  url = "";
  readonly pid: number;
  readonly status: Promise<Deno.CommandStatus>;
  readonly closed: Promise<void>;
  readonly #child: Deno.ChildProcess;
  readonly #output: ChildOutput;
  readonly #processGroup: boolean;
  #exited = false;

  constructor(
    child: Deno.ChildProcess,
    output: ChildOutput,
    processGroup: boolean,
  ) {
    this.#child = child;
    this.#output = output;
    this.#processGroup = processGroup;
    this.pid = child.pid;
    this.closed = output.closed;
    this.status = child.status.then((status) => {
      this.#exited = true;
      return status;
    });
  }

  stdoutText(): string {
    return this.#output.stdout;
  }

  stderrText(): string {
    return this.#output.stderr;
  }

  waitForLine(text: string): Promise<string> {
    return this.#output.waitForLine(text);
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

  killGroup(signal: Deno.Signal = "SIGTERM"): boolean {
    if (!this.#processGroup) {
      throw new Error(
        `Cannot signal the simulator's group: pid "${this.pid}" was started without its own process group`,
      );
    }
    try {
      Deno.kill(-this.pid, signal);
      return true;
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return false;
      throw error;
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    if (this.#processGroup) this.killGroup("SIGKILL");
    else this.kill("SIGKILL");
    await this.status;
    if (this.#processGroup) this.killGroup("SIGKILL");

    let timer: ReturnType<typeof setTimeout> | undefined;
    const grace = new Promise<"late">((resolve) => {
      timer = setTimeout(() => resolve("late"), PIPE_CLOSE_GRACE_MS);
    });
    const outcome = await Promise.race([this.#output.closed, grace]);
    clearTimeout(timer);
    if (outcome === "late") {
      await this.#output.cancel();
      await this.#output.closed;
    }
  }
}
