import { errorText } from "../lib/mod.ts";
import { join, resolve } from "node:path";
import type { ConfigError } from "./errors.ts";
import {
  type ConfigText,
  loadConfigTexts,
  type LoadOptions,
  type LoadResult,
} from "./load.ts";
import { compareBytes } from "./ports.ts";

/** The file system calls loading sources makes; Deno's by default. */
export interface SourceFileSystem {
  readTextFile(path: string): Promise<string>;
  /** Entry names of a directory. */
  readDir(path: string): AsyncIterable<{ readonly name: string }>;
  /** Follows symlinks. */
  stat(path: string): Promise<{ readonly isFile: boolean }>;
  realPath(path: string): Promise<string>;
}

export interface SourcesOptions extends Omit<LoadOptions, "file"> {
  /** The `--config` file, loaded first; null when not given. */
  readonly config: string | null;
  /** The `--config-dir` directory, whose YAML files follow; null when not given. */
  readonly configDir: string | null;
  readonly fileSystem?: SourceFileSystem;
}

const denoFileSystem: SourceFileSystem = {
  readTextFile: (path) => Deno.readTextFile(path),
  readDir: (path) => Deno.readDir(path),
  stat: (path) => Deno.stat(path),
  realPath: (path) => Deno.realPath(path),
};

const YAML_NAME_REGEXP = /\.ya?ml$/;

/**
 * Reads and loads every config source, as llama-swap's `-config` and
 * `-config-dir` do, with its error texts:
 *
 * 1. at least one of `config` and `configDir` must be given;
 * 2. the directory's sources are its `*.yml` and `*.yaml` regular files
 *    (symlinks followed, not recursive), sorted by name;
 * 3. the `config` file must not also be one of them;
 * 4. a directory without sources is fine next to a `config` file, and
 *    "no configuration sources found" alone;
 * 5. every file is read, then all are loaded by `loadConfigTexts()`:
 *    the `config` file first, then the directory's in order.
 *
 * Problems with the files themselves are errors without a file or line
 * (their message names the file).
 * Called at start and on every reload, so a reload sees files added to or
 * removed from the directory.
 */
export async function loadConfigSources(
  options: SourcesOptions,
): Promise<LoadResult> {
  const fs = options.fileSystem ?? denoFileSystem;
  const { config, configDir } = options;
  if (config === null && configDir === null) { // 1
    return failure("at least one of -config or -config-dir must be provided");
  }

  let files: string[] = [];
  if (configDir !== null) {
    try {
      files = await listConfigDirectory(configDir, fs); // 2
    } catch (error) {
      return failure(`-config-dir ${configDir}: ${errorText(error)}`);
    }
  }
  if (config !== null && configDir !== null) {
    const overlap = await findSameFile(config, files, fs); // 3
    if (overlap) {
      return failure(
        `-config path ${config} is also present in -config-dir ${configDir}; remove it from one`,
      );
    }
  }
  const paths = config === null ? files : [config, ...files];
  if (paths.length === 0) { // 4
    return failure("no configuration sources found");
  }

  const texts: ConfigText[] = [];
  const errors: ConfigError[] = [];
  for (const path of paths) { // 5
    try {
      texts.push({ file: path, text: await fs.readTextFile(path) });
    } catch (error) {
      errors.push(
        fileError(`failed to read config ${path}: ${errorText(error)}`),
      );
    }
  }
  if (errors.length > 0) return { ok: false, errors };
  return loadConfigTexts(texts, options);
}

/**
 * The paths of the `*.yml` and `*.yaml` regular files directly inside
 * `dir` (symlinks followed), sorted by name byte-wise. Throws when the
 * directory cannot be read. `--watch-config` watches the same files.
 */
export async function listConfigDirectory(
  dir: string,
  fs: SourceFileSystem = denoFileSystem,
): Promise<string[]> {
  const names: string[] = [];
  for await (const entry of fs.readDir(dir)) {
    if (!YAML_NAME_REGEXP.test(entry.name)) continue;
    if (await isRegularFile(join(dir, entry.name), fs)) names.push(entry.name);
  }
  return names.sort(compareBytes).map((name) => join(dir, name));
}

async function isRegularFile(
  path: string,
  fs: SourceFileSystem,
): Promise<boolean> {
  try {
    return (await fs.stat(path)).isFile;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false; // a dangling link
    throw error;
  }
}

/** True when `path` is the same file as one of `files`. */
async function findSameFile(
  path: string,
  files: readonly string[],
  fs: SourceFileSystem,
): Promise<boolean> {
  const target = await canonical(path, fs);
  for (const file of files) {
    if (await canonical(file, fs) === target) return true;
  }
  return false;
}

/**
 * The real path of `path`; its absolute path when it has none (a missing
 * file, which the read that follows reports).
 */
async function canonical(path: string, fs: SourceFileSystem): Promise<string> {
  try {
    return await fs.realPath(path);
  } catch {
    return resolve(path);
  }
}

function failure(message: string): LoadResult {
  return { ok: false, errors: [fileError(message)] };
}

/** An error about files as a whole; the message names the file itself. */
function fileError(message: string): ConfigError {
  return { file: "", line: 0, column: 0, path: "", message };
}
