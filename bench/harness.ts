/**
 * A real proxy in this process (`ProxyServer` over loopback) in front of
 * real model children, for benchmarks and reliability tests that need
 * to see inside it: the router's snapshot, each process's state and
 * in-flight count, and the logs.
 */
import { type Config, loadConfig, type LoadResult } from "../config/mod.ts";
import { delay, selfCommand, shellQuote } from "../lib/mod.ts";
import type { ModelProcessHandle, StateChange } from "../process/mod.ts";
import { ProxyServer } from "../serve/mod.ts";
import { withStartPort } from "./proxy_child.ts";

export interface HarnessOptions {
  /** The `config.yaml` text. */
  readonly configText: string;
  /**
   * Changes the loaded config before the server starts, for values the
   * loader would refuse (a health check timeout under 15 s).
   */
  readonly adjust?: (config: Config) => Config;
  /** Process registry directory; null (default) keeps it off disk. */
  readonly dataDir?: string | null;
  /** What `server.reload()` loads; without it a reload changes nothing. */
  readonly reloadSource?: () => Promise<LoadResult>;
}

/** A running in-process proxy. Dispose of it (`await using`) when done. */
export interface Harness extends AsyncDisposable {
  readonly server: ProxyServer;
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** Every state change of every model process, in order. */
  readonly changes: StateChange[];
  /**
   * Loads the router committed (its `swapStarted` notices), for `model`
   * or for all; counted across config reloads.
   */
  loads(model?: string): number;
  /** The current process of `model`; throws for an unknown model. */
  process(model: string): ModelProcessHandle;
  /** Resolves with the next change of `model` into `state`. */
  nextState(model: string, state: StateChange["to"]): Promise<StateChange>;
  /** The proxy's own log so far. */
  logText(): string;
  /**
   * Waits (up to 5 s) until the router has nothing queued, loading, in
   * flight or reserved and every process counts no request in flight;
   * resolves with what is left either way, for the caller to assert on.
   */
  quiet(): Promise<Leftovers>;
}

/** What is still going on in a proxy; all empty when it is quiet. */
export interface Leftovers {
  readonly inFlight: Readonly<Record<string, number>>;
  readonly reserved: Readonly<Record<string, number>>;
  readonly queued: number;
  readonly swaps: number;
  /** Models whose process counts requests in flight, with the count. */
  readonly processInFlight: Readonly<Record<string, number>>;
}

/** How long disposal lets requests and models wind down. */
const SHUTDOWN_BUDGET_MS = 5_000;
/** How long `quiet()` waits for requests to wind down. */
const QUIET_WITHIN_MS = 5_000;
/** How often `quiet()` looks. */
const QUIET_CHECK_MS = 10;

/**
 * `cmd` for a simulated model: `llama-swap simulate --port ${PORT}`
 * followed by `flags`.
 */
export function simulateCommand(flags = ""): string {
  const simulate = shellQuote([...selfCommand(), "simulate"]);
  return `${simulate} --port \${PORT}${flags === "" ? "" : ` ${flags}`}`;
}

/** Loads `text`; throws with every error when it is invalid. */
export function parseConfig(text: string): Config {
  const loaded = loadConfig(text);
  if (!loaded.ok) {
    const errors = loaded.errors.map((e) => `${e.line}: ${e.message}`);
    throw new Error(`Cannot load the config: ${errors.join("; ")}`);
  }
  return loaded.config;
}

/**
 * Starts a proxy on a free loopback port with `options.configText`. A
 * config without `startPort` gets one where ten free ports begin, so
 * tests running side by side do not share `${PORT}` numbers.
 */
export async function startHarness(options: HarnessOptions): Promise<Harness> {
  const parsed = parseConfig(withStartPort(options.configText));
  const config = options.adjust ? options.adjust(parsed) : parsed;
  const server = await ProxyServer.start({
    config,
    hostname: "127.0.0.1",
    port: 0,
    dataDir: options.dataDir ?? null,
    buildInfo: { version: "bench", commit: "bench", buildDate: "bench" },
    ...(options.reloadSource ? { reloadSource: options.reloadSource } : {}),
  });
  return new RunningHarness(server);
}

class RunningHarness implements Harness {
  readonly server: ProxyServer;
  readonly url: string;
  readonly changes: StateChange[] = [];
  readonly #listeners = new Set<(change: StateChange) => void>();
  readonly #watched = new Set<ModelProcessHandle>();
  readonly #unwatch: (() => void)[] = [];
  readonly #loads: string[] = [];

  constructor(server: ProxyServer) {
    this.server = server;
    this.url = server.url;
    this.#unwatch.push(server.runtime.router.onNotice((notice) => {
      if (notice.kind === "swapStarted") this.#loads.push(notice.model);
    }));
    this.#watchProcesses();
  }

  loads(model?: string): number {
    return this.#loads.filter((m) => model === undefined || m === model)
      .length;
  }

  process(model: string): ModelProcessHandle {
    this.#watchProcesses();
    const process = this.server.runtime.processes.get(model);
    if (!process) throw new Error(`Cannot find model "${model}"`);
    return process;
  }

  nextState(model: string, state: StateChange["to"]): Promise<StateChange> {
    this.#watchProcesses();
    const { promise, resolve } = Promise.withResolvers<StateChange>();
    const listener = (change: StateChange) => {
      if (change.model !== model || change.to !== state) return;
      this.#listeners.delete(listener);
      resolve(change);
    };
    this.#listeners.add(listener);
    return promise;
  }

  logText(): string {
    return new TextDecoder().decode(this.server.logs.proxy.history());
  }

  async quiet(): Promise<Leftovers> {
    const deadline = performance.now() + QUIET_WITHIN_MS;
    let left = this.#leftovers();
    while (!isQuiet(left) && performance.now() < deadline) {
      await delay(QUIET_CHECK_MS);
      left = this.#leftovers();
    }
    return left;
  }

  #leftovers(): Leftovers {
    const snapshot = this.server.runtime.router.snapshot();
    const processInFlight: Record<string, number> = {};
    for (const [model, process] of this.server.runtime.processes) {
      if (process.inFlight !== 0) processInFlight[model] = process.inFlight;
    }
    return {
      inFlight: snapshot.inFlight,
      reserved: snapshot.reserved,
      queued: snapshot.queue.length,
      swaps: snapshot.swaps.length,
      processInFlight,
    };
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.server.shutdown(SHUTDOWN_BUDGET_MS);
    for (const stop of this.#unwatch) stop();
  }

  /** Subscribes to processes not seen yet (a reload brings new ones). */
  #watchProcesses(): void {
    for (const process of this.server.runtime.processes.values()) {
      if (this.#watched.has(process)) continue;
      this.#watched.add(process);
      this.#unwatch.push(process.onStateChange((change) => {
        this.changes.push(change);
        for (const listener of [...this.#listeners]) listener(change);
      }));
    }
  }
}

/** True when nothing is left. */
export function isQuiet(left: Leftovers): boolean {
  return Object.keys(left.inFlight).length === 0 &&
    Object.keys(left.reserved).length === 0 &&
    left.queued === 0 && left.swaps === 0 &&
    Object.keys(left.processInFlight).length === 0;
}

/** What one chat completion request got. */
export interface ChatOutcome {
  /** HTTP status; 0 when the request failed without an answer. */
  readonly status: number;
  readonly text: string;
  /** From sending to the end of the body, ms. */
  readonly ms: number;
  /** The failure when there was no complete answer (abort, reset). */
  readonly error: unknown;
}

/**
 * POSTs a small chat completion for `model` to `url` and reads the whole
 * answer; never rejects.
 */
export async function chat(
  url: string,
  model: string,
  options: {
    stream?: boolean;
    signal?: AbortSignal;
    headers?: Record<string, string>;
    content?: string;
  } = {},
): Promise<ChatOutcome> {
  const sent = performance.now();
  let status = 0;
  try {
    const response = await fetch(`${url}/v1/chat/completions`, {
      method: "POST",
      headers: { "Content-Type": "application/json", ...options.headers },
      body: JSON.stringify({
        model,
        stream: options.stream ?? false,
        messages: [{ role: "user", content: options.content ?? "Say hi" }],
      }),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    status = response.status;
    const text = await response.text();
    return { status, text, ms: performance.now() - sent, error: null };
  } catch (error) {
    return { status, text: "", ms: performance.now() - sent, error };
  }
}
