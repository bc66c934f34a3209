/**
 * Every top-level key the loader understands, llama-swap's and ours. Global
 * macros are substituted into the values of these (except `models`, which
 * gets per-model scopes, and `macros` itself).
 */
export const TOP_LEVEL_KEYS: ReadonlySet<string> = new Set([
  "models",
  "healthCheckTimeout",
  "logLevel",
  "logTimeFormat",
  "logToStdout",
  "logRequests",
  "metricsMaxInMemory",
  "captureBuffer",
  "performance",
  "startPort",
  "globalTTL",
  "unloadTimeout",
  "sendLoadingState",
  "loadingStateFormat",
  "loadingRemarks",
  "includeAliasesInList",
  "requestBodyLimitMB",
  "macros",
  "apiKeys",
  "groups",
  "matrix",
  "routing",
  "hooks",
  "peers",
  "profiles",
  "selectors",
  "upstream",
  "store",
  "ui",
]);
