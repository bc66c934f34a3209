import { buildConfig } from "./build_config.ts";
import { type EnvLookup, substituteEnvMacros } from "./env_macros.ts";
import { type ConfigError, formatConfigError } from "./errors.ts";
import { expandMacros } from "./expand.ts";
import { Issues } from "./issues.ts";
import { mergeSources, type ParsedSource } from "./merge_sources.ts";
import { parseYamlTree } from "./parse_yaml.ts";
import { SourceLocator } from "./source_locator.ts";
import { SourceMap } from "./source_map.ts";
import {
  checkStorePath,
  probeStorePath,
  type StorePathProbe,
} from "./store_path.ts";
import type { Config } from "./types.ts";
import { shiftSpans } from "./yaml_tree.ts";

/** A loaded config with its warnings, or every error found. */
export type LoadResult =
  | { readonly ok: true; readonly config: Config; readonly warnings: string[] }
  | { readonly ok: false; readonly errors: ConfigError[] };

export interface LoadOptions {
  /** The name errors and warnings report; `config.yaml` by default. */
  readonly file?: string;
  /** Looks up `${env.NAME}` references; `Deno.env.get` by default. */
  readonly env?: EnvLookup;
  /** Checks that `store.path` can hold the database; `probeStorePath` by default. */
  readonly storePath?: StorePathProbe;
}

/** The text of one config file and the name its errors give. */
export interface ConfigText {
  readonly file: string;
  readonly text: string;
}

const DEFAULT_FILE = "config.yaml";

/**
 * Turns the text of a `config.yaml` into a validated, macro-expanded
 * `Config`: `loadConfigTexts()` with one file.
 */
export function loadConfig(
  text: string,
  options: LoadOptions = {},
): LoadResult {
  return loadConfigTexts(
    [{ file: options.file ?? DEFAULT_FILE, text }],
    options,
  );
}

/**
 * Loads config files merged in order (`--config`, then the `--config-dir`
 * files), following llama-swap's rules: per file, `${env.NAME}` references
 * in the raw text (two passes) and YAML (anchors and `<<` merges resolved
 * within the file); then the files merged (`mergeSources()`), and on the
 * merged document macros and `${PORT}` numbers, typed decoding and every
 * cross-key check, so a macro of one file serves a model of another.
 * Empty files add nothing; no files at all give every default.
 *
 * Pure apart from reading environment variables through `options.env` and
 * checking that `store.path` is writable through `options.storePath`: no
 * other file or network access (`options.file` is not used). Never throws
 * for bad input; errors carry their own file and are sorted by file, then
 * position. When `${env.NAME}` references or the YAML of any file are
 * broken, or the files do not merge, later stages are skipped, so only
 * those errors are listed.
 */
export function loadConfigTexts(
  texts: readonly ConfigText[],
  options: LoadOptions = {},
): LoadResult {
  const env = options.env ?? ((name: string) => Deno.env.get(name));

  const locator = new SourceLocator();
  const sources: ParsedSource[] = [];
  const errors: ConfigError[] = [];
  for (const { file, text } of texts) {
    const issues = new Issues();
    const substituted = substituteEnvMacros(text, env, issues);
    const map = new SourceMap(text, ...substituted.layers);
    const root = substituted.ok
      ? parseYamlTree(substituted.text, issues)
      : null;
    if (root === null) {
      errors.push(...issues.errors(SourceLocator.of(file, map)));
      continue;
    }
    const base = locator.add(file, map, substituted.text.length);
    sources.push({ file, root: shiftSpans(root, base) });
  }
  if (errors.length > 0) return { ok: false, errors };

  const issues = new Issues();
  const merged = mergeSources(sources, issues);
  if (issues.errorCount > 0) {
    return { ok: false, errors: issues.errors(locator) };
  }

  const expansion = expandMacros(merged, issues, { env });
  const config = buildConfig(expansion, issues);
  if (config.storePath !== null) {
    const probe = options.storePath ?? probeStorePath;
    checkStorePath(issues, expansion.root, config.storePath, probe);
  }
  if (issues.errorCount > 0) {
    return { ok: false, errors: issues.errors(locator) };
  }
  const warnings = issues.warnings(locator).map(formatConfigError);
  return { ok: true, config, warnings };
}
