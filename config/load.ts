import { buildConfig } from "./build_config.ts";
import { type EnvLookup, substituteEnvMacros } from "./env_macros.ts";
import { type ConfigError, formatConfigError } from "./errors.ts";
import { expandMacros } from "./expand.ts";
import { Issues } from "./issues.ts";
import { SourceMap } from "./source_map.ts";
import type { Config } from "./types.ts";
import { parseYamlTree } from "./parse_yaml.ts";
import {
  checkStorePath,
  probeStorePath,
  type StorePathProbe,
} from "./store_path.ts";

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

const DEFAULT_FILE = "config.yaml";

/**
 * Turns the text of a `config.yaml` into a validated, macro-expanded
 * `Config`, following llama-swap's rules: `${env.NAME}` references in the
 * raw text first, then YAML (anchors and `<<` merges resolved), macros and
 * `${PORT}` numbers, then typed decoding and every cross-key check.
 *
 * Pure apart from reading environment variables through `options.env` and
 * checking that `store.path` is writable through `options.storePath`: no
 * other file or network access. Never throws for bad input; errors are sorted
 * by position. When `${env.NAME}` references or the YAML itself are broken,
 * later stages are skipped, so only those errors are listed.
 */
export function loadConfig(
  text: string,
  options: LoadOptions = {},
): LoadResult {
  const file = options.file ?? DEFAULT_FILE;
  const env = options.env ?? ((name: string) => Deno.env.get(name));

  const envIssues = new Issues();
  const substituted = substituteEnvMacros(text, env, envIssues);
  const map = new SourceMap(text, ...substituted.layers);
  if (!substituted.ok) {
    return { ok: false, errors: envIssues.errors(file, map) };
  }

  const issues = new Issues();
  const root = parseYamlTree(substituted.text, issues);
  if (root === null) return { ok: false, errors: issues.errors(file, map) };

  const expansion = expandMacros(root, issues, { env });
  const config = buildConfig(expansion, issues);
  if (config.storePath !== null) {
    const probe = options.storePath ?? probeStorePath;
    checkStorePath(issues, expansion.root, config.storePath, probe);
  }
  if (issues.errorCount > 0) {
    return { ok: false, errors: issues.errors(file, map) };
  }
  const warnings = issues.warnings(file, map).map(formatConfigError);
  return { ok: true, config, warnings };
}

/**
 * Reads the file at `path` and loads it with `loadConfig()`; the only
 * function here that touches the file system. A file that cannot be read
 * gives one error at line 1, column 1.
 */
export async function loadConfigFile(
  path: string,
  options: LoadOptions = {},
): Promise<LoadResult> {
  const file = options.file ?? path;
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    return {
      ok: false,
      errors: [{
        file,
        line: 1,
        column: 1,
        path: "",
        message: `cannot read config: ${detail}`,
      }],
    };
  }
  return loadConfig(text, { ...options, file });
}
