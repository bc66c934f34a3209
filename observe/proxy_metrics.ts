import type { ProcessState } from "../process/types.ts";
import {
  type Counter,
  type Gauge,
  type Histogram,
  type MetricFamilyInfo,
  MetricsRegistry,
} from "./prometheus.ts";
import { readProcessStats, type ReadTextFile } from "./process_stats.ts";

const PROCESS_STATES: readonly ProcessState[] = [
  "stopped",
  "starting",
  "ready",
  "stopping",
  "shutdown",
];

/** Seconds; from a quick embedding to a long generation. */
const REQUEST_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];
/** Seconds; from a warm small model to a slow load of a large one. */
const SWAP_BUCKETS = [0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300, 600];

/**
 * Distinct values kept per client-influenced label (`model`, `path`);
 * later new values are counted under `other`, so a client sending random
 * model names or `/upstream` paths cannot grow the exposition forever.
 */
export const MAX_LABEL_VALUES = 200;

export interface ProxyMetricsOptions {
  /** Reads `/proc` files; defaults to `Deno.readTextFile`. */
  readTextFile?: ReadTextFile;
  /** Resident memory of this process; defaults to `Deno.memoryUsage()`. */
  memoryUsage?: () => { rss: number };
}

/** What `render()` needs to know about the running model processes. */
export interface RenderOptions {
  /** Model ID -> PID of its running child. */
  childPids: ReadonlyMap<string, number>;
}

/**
 * The proxy's Prometheus metrics (`llamaswap_*`), updated through methods
 * named after what happened. Every method is synchronous and cheap, so the
 * proxy and router call them inline; `render()` reads `/proc` and so is
 * async. See `observe/metrics.md` for the list.
 */
export class ProxyMetrics {
  readonly registry: MetricsRegistry = new MetricsRegistry();
  #readTextFile: ReadTextFile;
  #memoryUsage: () => { rss: number };
  #seen = { model: new Set<string>(), path: new Set<string>() };

  #requests: Counter<"model" | "path" | "status_class">;
  #requestErrors: Counter<"model" | "path">;
  #requestSeconds: Histogram<"model">;
  #swaps: Counter<"model">;
  #swapSeconds: Histogram<"model">;
  #loadFailures: Counter<"model">;
  #inFlight: Gauge<"model">;
  #queueDepth: Gauge;
  #inputTokens: Counter<"model">;
  #outputTokens: Counter<"model">;
  #modelState: Gauge<"model" | "state">;
  #ownMemory: Gauge;
  #ownCpu: Counter;
  #childMemory: Gauge<"model">;
  #childCpu: Counter<"model">;

  constructor(options: ProxyMetricsOptions = {}) {
    this.#readTextFile = options.readTextFile ?? Deno.readTextFile;
    this.#memoryUsage = options.memoryUsage ?? (() => Deno.memoryUsage());
    const r = this.registry;
    this.#requests = r.counter(
      "llamaswap_requests_total",
      "Requests answered, by model, upstream path and status class (2xx, 4xx, none = no response).",
      ["model", "path", "status_class"],
    );
    this.#requestErrors = r.counter(
      "llamaswap_request_errors_total",
      "Requests that ended with a 5xx status or without a response.",
      ["model", "path"],
    );
    this.#requestSeconds = r.histogram(
      "llamaswap_request_duration_seconds",
      "Time from dispatch to the end of the response, model load included.",
      ["model"],
      REQUEST_BUCKETS,
    );
    this.#swaps = r.counter(
      "llamaswap_swaps_total",
      "Model loads that finished, successful or not.",
      ["model"],
    );
    this.#swapSeconds = r.histogram(
      "llamaswap_swap_duration_seconds",
      "Time a successful load took until the model was ready.",
      ["model"],
      SWAP_BUCKETS,
    );
    this.#loadFailures = r.counter(
      "llamaswap_load_failures_total",
      "Model loads that failed or were called off (unloaded, abandoned, shut down).",
      ["model"],
    );
    this.#inFlight = r.gauge(
      "llamaswap_inflight_requests",
      "Requests each local model is serving now, as the router counts them at the scrape.",
      ["model"],
    );
    this.#queueDepth = r.gauge(
      "llamaswap_queue_depth",
      "Requests waiting for their model to become ready.",
    );
    this.#inputTokens = r.counter(
      "llamaswap_input_tokens_total",
      "Prompt tokens reported by upstreams.",
      ["model"],
    );
    this.#outputTokens = r.counter(
      "llamaswap_output_tokens_total",
      "Generated tokens reported by upstreams.",
      ["model"],
    );
    this.#modelState = r.gauge(
      "llamaswap_model_state",
      "1 for the state each model's process is in, 0 for the others.",
      ["model", "state"],
    );
    this.#ownMemory = r.gauge(
      "llamaswap_process_resident_memory_bytes",
      "Resident memory of the proxy process.",
    );
    this.#ownCpu = r.counter(
      "llamaswap_process_cpu_seconds_total",
      "User and system CPU time of the proxy process (Linux only).",
    );
    this.#childMemory = r.gauge(
      "llamaswap_model_resident_memory_bytes",
      "Resident memory of each running model's process (Linux only).",
      ["model"],
    );
    this.#childCpu = r.counter(
      "llamaswap_model_cpu_seconds_total",
      "CPU time of each running model's process; restarts from 0 with the process (Linux only).",
      ["model"],
    );
  }

  /**
   * Counts a finished request. `status` 0 means no response reached the
   * client (upstream unreachable, client gone).
   */
  requestFinished(
    model: string,
    path: string,
    status: number,
    durationMs: number,
  ): void {
    const labels = { model: this.#bounded("model", model) };
    const route = { ...labels, path: this.#bounded("path", stripQuery(path)) };
    this.#requests.inc({ ...route, status_class: statusClass(status) });
    if (status === 0 || status >= 500) this.#requestErrors.inc(route);
    this.#requestSeconds.observe(labels, durationMs / 1000);
  }

  /** Counts a finished load of `model` that took `ms`. */
  swapFinished(model: string, ms: number, ok: boolean): void {
    const labels = { model: this.#bounded("model", model) };
    this.#swaps.inc(labels);
    if (ok) this.#swapSeconds.observe(labels, ms / 1000);
    else this.#loadFailures.inc(labels);
  }

  setInFlight(model: string, count: number): void {
    this.#inFlight.set({ model: this.#bounded("model", model) }, count);
  }

  setQueueDepth(depth: number): void {
    this.#queueDepth.set({}, depth);
  }

  /** Records the state `model`'s process moved to. */
  modelState(model: string, state: ProcessState): void {
    const name = this.#bounded("model", model);
    for (const each of PROCESS_STATES) {
      this.#modelState.set(
        { model: name, state: each },
        each === state ? 1 : 0,
      );
    }
  }

  /** Adds reported token counts; unknown (null) counts add nothing. */
  tokens(model: string, input: number | null, output: number | null): void {
    const labels = { model: this.#bounded("model", model) };
    if (input !== null && input > 0) this.#inputTokens.inc(labels, input);
    if (output !== null && output > 0) this.#outputTokens.inc(labels, output);
  }

  /** Drops the gauges of a model removed from the config. */
  forgetModel(model: string): void {
    this.#inFlight.remove({ model });
    for (const state of PROCESS_STATES) {
      this.#modelState.remove({ model, state });
    }
  }

  /**
   * The exposition, after reading this process's memory and CPU and those
   * of each child in `childPids`. Children that cannot be read (exited,
   * not Linux) are left out.
   */
  async render(options: RenderOptions): Promise<string> {
    this.#ownMemory.set({}, this.#memoryUsage().rss);
    const own = await readProcessStats("self", this.#readTextFile);
    if (own.cpuSeconds !== null) this.#ownCpu.set({}, own.cpuSeconds);

    const children = await Promise.all(
      [...options.childPids].map(async ([model, pid]) =>
        [model, await readProcessStats(pid, this.#readTextFile)] as const
      ),
    );
    this.#childMemory.clear();
    this.#childCpu.clear();
    for (const [model, stats] of children) {
      if (stats.residentBytes !== null) {
        this.#childMemory.set({ model }, stats.residentBytes);
      }
      if (stats.cpuSeconds !== null) {
        this.#childCpu.set({ model }, stats.cpuSeconds);
      }
    }
    return this.registry.render();
  }

  #bounded(label: "model" | "path", value: string): string {
    const seen = this.#seen[label];
    if (seen.has(value)) return value;
    if (seen.size >= MAX_LABEL_VALUES) return "other";
    seen.add(value);
    return value;
  }
}

function statusClass(status: number): string {
  if (!Number.isInteger(status) || status < 100 || status > 599) return "none";
  return `${Math.floor(status / 100)}xx`;
}

function stripQuery(path: string): string {
  const at = path.indexOf("?");
  return at < 0 ? path : path.slice(0, at);
}

/**
 * A markdown table of every metric `ProxyMetrics` exposes, for the README,
 * with columns padded the way `deno fmt` lays them out. `observe/metrics.md`
 * holds it; a test checks that the file matches.
 */
export function metricsMarkdownTable(): string {
  const families: MetricFamilyInfo[] = new ProxyMetrics().registry.families();
  const rows = [
    ["metric", "type", "labels", "meaning"],
    ...families.map((family) => [
      `\`${family.name}\``,
      family.type,
      family.labelNames.map((label) => `\`${label}\``).join(", ") || "—",
      family.help,
    ]),
  ];
  const widths = rows[0]!.map((_, column) =>
    Math.max(...rows.map((row) => row[column]!.length))
  );
  const line = (cells: string[]) =>
    `| ${cells.map((cell, i) => cell.padEnd(widths[i]!)).join(" | ")} |`;
  const rule = `| ${widths.map((width) => "-".repeat(width)).join(" | ")} |`;
  const [header, ...body] = rows;
  return [line(header!), rule, ...body.map(line), ""].join("\n");
}
