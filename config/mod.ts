/**
 * The configuration loader: `config.yaml` text (or `--config` plus the
 * files of `--config-dir`, merged) in, a validated and macro-expanded
 * `Config` (or every error, with file, line, column and key path) out.
 */
export { type ConfigError, formatConfigError } from "./errors.ts";
export type { EnvLookup } from "./env_macros.ts";
export {
  type ConfigText,
  loadConfig,
  loadConfigTexts,
  type LoadOptions,
  type LoadResult,
} from "./load.ts";
export {
  listConfigDirectory,
  loadConfigSources,
  type SourceFileSystem,
  type SourcesOptions,
} from "./load_sources.ts";
export { stripCommentLines } from "./strip_comments.ts";
export * from "./types.ts";
