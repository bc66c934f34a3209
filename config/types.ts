/**
 * The validated, macro-expanded configuration every other folder reads.
 *
 * Produced only by `loadConfig()`; never mutated afterwards. Durations are in
 * seconds unless the name says otherwise, exactly as they are written in
 * `config.yaml`.
 */

export type LogLevel = "debug" | "info" | "warn" | "error";

/** Which logs are copied to the terminal and the combined `/logs` stream. */
export type LogToStdout = "proxy" | "upstream" | "both" | "none";

/**
 * Where loading text goes in a streaming chat response: `reasoning` puts it
 * in `delta.reasoning_content` (llama-swap's behaviour), `comment` sends SSE
 * comment lines that clients ignore.
 */
export type LoadingStateFormat = "reasoning" | "comment";

/** One `macros` entry as declared, before expansion. */
export interface MacroDeclaration {
  readonly name: string;
  readonly value: string | number | boolean;
}

/** Upstream HTTP timeouts in seconds; 0 disables that timeout. */
export interface Timeouts {
  readonly connect: number;
  readonly keepalive: number;
  readonly responseHeader: number;
  readonly tlsHandshake: number;
  readonly expectContinue: number;
  readonly idleConn: number;
}

/** Request body rewriting for a model or a peer. */
export interface Filters {
  /** The comma separated text as written (after macro expansion). */
  readonly stripParams: string;
  /** `stripParams` split, trimmed, deduplicated, sorted, without `model`. */
  readonly strip: readonly string[];
  /** Keys set in every JSON body, `model` removed. */
  readonly setParams: Readonly<Record<string, unknown>>;
  /** Keys set when the request used exactly this model name. */
  readonly setParamsByID: Readonly<
    Record<string, Readonly<Record<string, unknown>>>
  >;
}

export type Modality = "text" | "audio" | "image";

/** What a model advertises in `/v1/models`; absent when nothing is set. */
export interface Capabilities {
  readonly in: readonly Modality[];
  readonly out: readonly Modality[];
  readonly tools: boolean;
  readonly reranker: boolean;
  /** Context length in tokens; 0 = unknown. */
  readonly context: number;
}

export interface ModelConfig {
  /** The key under `models`, used in requests and `${MODEL_ID}`. */
  readonly id: string;
  /** Start command: comment lines removed, macros and port substituted. */
  readonly cmd: string;
  /** Stop command with `${PID}` still in place; "" = signal the group. */
  readonly cmdStop: string;
  /** Base URL requests are forwarded to; "" means the model cannot start. */
  readonly proxy: string;
  /** Health path probed until HTTP 200, or "none". */
  readonly checkEndpoint: string;
  /** Effective idle unload time; 0 = never. */
  readonly ttl: number;
  /** Effective grace before SIGKILL for unloads and TTL expiry (> 0). */
  readonly unloadTimeout: number;
  /** The global `healthCheckTimeout`, copied in. */
  readonly healthCheckTimeout: number;
  /** Explicit aliases followed by those made from `setParamsByID` keys. */
  readonly aliases: readonly string[];
  /** `NAME=value` entries added to the child's environment. */
  readonly env: readonly string[];
  readonly name: string;
  readonly description: string;
  readonly metadata: Readonly<Record<string, unknown>>;
  readonly unlisted: boolean;
  /** Replaces `model` in bodies sent upstream; "" = keep. */
  readonly useModelName: string;
  /** Effective limit of admitted requests (configured, or 10). */
  readonly concurrencyLimit: number;
  readonly sendLoadingState: boolean;
  readonly loadingStateFormat: LoadingStateFormat;
  readonly filters: Filters;
  readonly timeouts: Timeouts;
  readonly capabilities: Capabilities | null;
  readonly compat: { readonly ignoreWebsockets: boolean };
  /** The model's own macro declarations, unexpanded. */
  readonly macros: readonly MacroDeclaration[];
  /** The number `${PORT}` became, or null when `cmd` uses none. */
  readonly port: number | null;
}

export interface GroupConfig {
  readonly swap: boolean;
  readonly exclusive: boolean;
  readonly persistent: boolean;
  readonly members: readonly string[];
}

export interface MatrixSet {
  readonly name: string;
  readonly dsl: string;
}

export interface MatrixConfig {
  /** Short name -> real model ID. */
  readonly vars: Readonly<Record<string, string>>;
  /** Var or model ID -> positive cost; missing entries cost 1. */
  readonly evictCosts: Readonly<Record<string, number>>;
  /** In declaration order; the order breaks ties. */
  readonly sets: readonly MatrixSet[];
}

export type RouterConfig =
  | {
    readonly use: "group";
    /** Every group, including `(default)` holding all ungrouped models. */
    readonly groups: Readonly<Record<string, GroupConfig>>;
  }
  | { readonly use: "matrix"; readonly matrix: MatrixConfig };

export interface SchedulerConfig {
  readonly use: "fifo";
  /** Real model ID -> priority; higher is served first, default 0. */
  readonly priority: Readonly<Record<string, number>>;
  /**
   * Seconds the oldest queued request may wait before the model blocking it
   * stops taking new fast-path requests; 0 turns the bound off.
   */
  readonly maxWait: number;
}

export interface PeerConfig {
  readonly id: string;
  readonly proxy: string;
  /** Sent upstream as `Authorization: Bearer` and `x-api-key`; "" = none. */
  readonly apiKey: string;
  /** Bare model IDs the peer serves, duplicates removed. */
  readonly models: readonly string[];
  readonly filters: Filters;
  readonly timeouts: Timeouts;
}

/** A client key; `models` limits it to those models and no admin routes. */
export interface ApiKey {
  readonly key: string;
  /** Real model IDs or peer model names; null = every model and route. */
  readonly models: readonly string[] | null;
}

export type SelectorStrategy = "warm" | "pin" | "spillover";

export interface SelectorConfig {
  readonly id: string;
  readonly strategy: SelectorStrategy;
  readonly targets: readonly string[];
  readonly spillover: number;
  readonly name: string;
  readonly description: string;
  readonly unlisted: boolean;
  readonly metadata: Readonly<Record<string, unknown>>;
}

export interface ProfileConfig {
  readonly name: string;
  readonly description: string;
  /** Requested ID -> target ID; "" disables the requested ID. */
  readonly pins: Readonly<Record<string, string>>;
}

export interface Config {
  readonly healthCheckTimeout: number;
  readonly logLevel: LogLevel;
  /** A Go layout name such as `rfc3339`, or "" for no timestamps. */
  readonly logTimeFormat: string;
  readonly logToStdout: LogToStdout;
  readonly metricsMaxInMemory: number;
  /** MiB of request/response captures to keep; 0 disables captures. */
  readonly captureBuffer: number;
  readonly startPort: number;
  readonly globalTTL: number;
  readonly unloadTimeout: number;
  readonly sendLoadingState: boolean;
  readonly loadingStateFormat: LoadingStateFormat;
  /** Replaces the built-in loading remarks when set. */
  readonly loadingRemarks: readonly string[] | null;
  readonly includeAliasesInList: boolean;
  /** Bodies larger than this many bytes are refused with 413. */
  readonly requestBodyLimit: number;
  readonly macros: readonly MacroDeclaration[];
  readonly apiKeys: readonly ApiKey[];
  /** By model ID, in byte-wise sorted order. */
  readonly models: Readonly<Record<string, ModelConfig>>;
  /** Alias -> real model ID, explicit and setParamsByID aliases. */
  readonly aliases: Readonly<Record<string, string>>;
  readonly routing: {
    readonly router: RouterConfig;
    readonly scheduler: SchedulerConfig;
  };
  /** Real model IDs to load at start, in order. */
  readonly preload: readonly string[];
  readonly peers: Readonly<Record<string, PeerConfig>>;
  readonly performance: { readonly disabled: boolean; readonly every: number };
  /**
   * JavaScript regular expression sources (for `new RegExp()`, no flags)
   * matched against `/upstream` sub-paths: `upstream.ignorePaths` as
   * written in RE2 syntax, translated.
   */
  readonly upstreamIgnorePaths: readonly string[];
  /** SQLite file for activity history, or null for the data directory. */
  readonly storePath: string | null;
  /** Request headers shown as a session ID in the activity view. */
  readonly sessionIdHeaders: readonly string[];
  readonly selectors: Readonly<Record<string, SelectorConfig>>;
  readonly profiles: Readonly<Record<string, ProfileConfig>>;
}
