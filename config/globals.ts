import { TIME_FORMAT_NAMES } from "../log/mod.ts";
import type { MapFields } from "./fields.ts";
import type { Config, LogLevel, LogToStdout } from "./types.ts";
import { readLoadingStateFormat } from "./loading_state_format.ts";
import { readServiceSettings } from "./service_settings.ts";

/** The top-level settings that are plain values, with defaults applied. */
export type Globals = Pick<
  Config,
  | "healthCheckTimeout"
  | "logLevel"
  | "logTimeFormat"
  | "logToStdout"
  | "metricsMaxInMemory"
  | "captureBuffer"
  | "globalTTL"
  | "unloadTimeout"
  | "sendLoadingState"
  | "loadingStateFormat"
  | "loadingRemarks"
  | "includeAliasesInList"
  | "requestBodyLimit"
  | "performance"
  | "upstreamIgnorePaths"
  | "storePath"
  | "sessionIdHeaders"
>;

const MIN_HEALTH_CHECK_TIMEOUT = 15;
const DEFAULT_UNLOAD_TIMEOUT = 10;
const DEFAULT_METRICS_MAX_IN_MEMORY = 1000;
const DEFAULT_REQUEST_BODY_LIMIT_MB = 64;
const LOG_LEVELS: readonly LogLevel[] = ["debug", "info", "warn", "error"];
const LOG_TO_STDOUT: readonly LogToStdout[] = [
  "proxy",
  "upstream",
  "both",
  "none",
];
const SECONDS = { expect: "a number of seconds >= 0", min: 0 };

/**
 * Reads the plain top-level settings of `root`, applying llama-swap's
 * defaults and clamps. Problems go to `root.issues`; a bad value falls back
 * to its default so the rest of the file is still checked.
 */
export function readGlobals(root: MapFields): Globals {
  const issues = root.issues;

  let healthCheckTimeout = root.number("healthCheckTimeout", 120, {
    expect: "a number of seconds",
  });
  if (healthCheckTimeout < MIN_HEALTH_CHECK_TIMEOUT) {
    const entry = root.entry("healthCheckTimeout");
    issues.warn(
      entry?.value.span.start ?? 0,
      "healthCheckTimeout",
      `raised to the minimum of ${MIN_HEALTH_CHECK_TIMEOUT} seconds`,
    );
    healthCheckTimeout = MIN_HEALTH_CHECK_TIMEOUT;
  }

  let captureBuffer = root.number("captureBuffer", 5, {
    expect: "a number of MiB",
  });
  if (captureBuffer < 0) {
    issues.warn(
      root.node("captureBuffer")?.span.start ?? 0,
      "captureBuffer",
      "a negative size turns captures off, as 0 does",
    );
    captureBuffer = 0;
  }

  const metrics = root.number(
    "metricsMaxInMemory",
    DEFAULT_METRICS_MAX_IN_MEMORY,
    {
      expect: "a whole number",
    },
  );
  const unloadTimeout = root.number("unloadTimeout", 0, SECONDS);
  const requestBodyLimitMB = root.number(
    "requestBodyLimitMB",
    DEFAULT_REQUEST_BODY_LIMIT_MB,
    { expect: "a number of MiB > 0", above: 0, integer: false },
  );
  root.deprecated(
    "logRequests",
    "logRequests has no effect and can be removed",
  );

  return {
    healthCheckTimeout,
    logLevel: readLogLevel(root),
    logTimeFormat: readLogTimeFormat(root),
    logToStdout: readLogToStdout(root),
    metricsMaxInMemory: metrics > 0 ? metrics : DEFAULT_METRICS_MAX_IN_MEMORY,
    captureBuffer,
    globalTTL: root.number("globalTTL", 0, SECONDS),
    unloadTimeout: unloadTimeout === 0 ? DEFAULT_UNLOAD_TIMEOUT : unloadTimeout,
    sendLoadingState: root.bool("sendLoadingState", false),
    loadingStateFormat: readLoadingStateFormat(root) ?? "reasoning",
    loadingRemarks: readLoadingRemarks(root),
    includeAliasesInList: root.bool("includeAliasesInList", false),
    requestBodyLimit: Math.floor(requestBodyLimitMB * 1024 * 1024),
    ...readServiceSettings(root),
  };
}

/** Unknown levels mean `info`, as in llama-swap, with a warning. */
function readLogLevel(root: MapFields): LogLevel {
  const text = root.optionalString("logLevel");
  if (text === undefined) return "info";
  const level = LOG_LEVELS.find((l) => l === text.trim().toLowerCase());
  if (level === undefined) {
    root.issues.warn(
      root.node("logLevel")?.span.start ?? 0,
      "logLevel",
      `unknown level ${
        JSON.stringify(text)
      } means "info"; use debug, info, warn or error`,
    );
  }
  return level ?? "info";
}

/** Unknown names mean no timestamps, as in llama-swap, with a warning. */
function readLogTimeFormat(root: MapFields): string {
  const text = root.optionalString("logTimeFormat");
  if (text === undefined) return "";
  const name = text.trim().toLowerCase();
  if (name === "" || TIME_FORMAT_NAMES.includes(name)) return name;
  root.issues.warn(
    root.node("logTimeFormat")?.span.start ?? 0,
    "logTimeFormat",
    `unknown format ${JSON.stringify(text)}: log lines get no timestamp`,
  );
  return "";
}

function readLogToStdout(root: MapFields): LogToStdout {
  const text = root.optionalString("logToStdout");
  if (text === undefined) return "proxy";
  const choice = LOG_TO_STDOUT.find((c) => c === text);
  if (choice === undefined) {
    root.issues.error(
      root.node("logToStdout")?.span.start ?? 0,
      "logToStdout",
      `must be one of "proxy", "upstream", "both" or "none", got ${
        JSON.stringify(text)
      }`,
    );
  }
  return choice ?? "proxy";
}

function readLoadingRemarks(root: MapFields): readonly string[] | null {
  const items = root.stringList("loadingRemarks");
  if (items === undefined) return null;
  const node = root.node("loadingRemarks");
  if (node?.kind === "seq" && node.items.length === 0) {
    root.issues.error(
      node.span.start,
      "loadingRemarks",
      "must list at least one remark",
    );
  }
  for (const item of items) {
    if (item.value.trim() === "") {
      root.issues.error(
        item.node.span.start,
        item.path,
        "a remark cannot be empty",
      );
    }
  }
  return items.map((item) => item.value);
}
