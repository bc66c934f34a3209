/**
 * The configuration loader: `config.yaml` text in, a validated and
 * macro-expanded `Config` (or every error, with file, line, column and key
 * path) out.
 */
export { type ConfigError, formatConfigError } from "./errors.ts";
export type { EnvLookup } from "./env_macros.ts";
export {
  loadConfig,
  loadConfigFile,
  type LoadOptions,
  type LoadResult,
} from "./load.ts";
export { stripCommentLines } from "./strip_comments.ts";
export * from "./types.ts";
