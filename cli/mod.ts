/**
 * The command line: flags (Go-style, as llama-swap's service files spell
 * them), help and summary texts, the built-in demo config, the data
 * directory, and running until a stop signal.
 */
export { type DataDirOptions, resolveDataDir } from "./data_dir.ts";
export { demoConfigText } from "./demo_config.ts";
export { argsFromEnvironment, launchedByDenoServe } from "./deno_serve.ts";
export {
  type CliOptions,
  FlagConflictError,
  parseCliArgs,
  parseListenAddress,
  UsageError,
} from "./flags.ts";
export { HELP_TEXT } from "./help.ts";
export { runUntilStopped } from "./lifecycle.ts";
export { openAccessWarning } from "./open_access.ts";
export { formatSummary } from "./summary.ts";
