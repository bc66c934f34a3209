import { listConfigDirectory } from "../config/mod.ts";
import { type Clock, errorText, systemClock } from "../lib/mod.ts";
import type { Logger } from "../log/mod.ts";

/** What the watcher compares between polls. */
export interface FileStamp {
  readonly mtimeMs: number | null;
  readonly size: number;
}

/** Stats `path` (following symlinks); null when the file does not exist. */
export type StatFile = (path: string) => Promise<FileStamp | null>;

/** The YAML files of a directory in name order, with their stamps. */
export type DirectoryStamp = readonly {
  readonly path: string;
  readonly stamp: FileStamp;
}[];

/**
 * Stamps the YAML files of `dir` (as `--config-dir` loads them); null when
 * the directory is missing or holds none.
 */
export type StatDirectory = (dir: string) => Promise<DirectoryStamp | null>;

/** How often `--watch-config` looks at the files. */
export const WATCH_INTERVAL_MS = 2_000;

export interface ConfigWatcherOptions {
  /** The `--config` file; null or absent when only a directory is watched. */
  readonly path?: string | null;
  /** The `--config-dir` directory; null or absent when not given. */
  readonly dir?: string | null;
  /** Called once per poll that saw a change; must not throw. */
  readonly onChange: () => void;
  readonly logger: Logger;
  readonly clock?: Clock;
  readonly intervalMs?: number;
  readonly stat?: StatFile;
  readonly statDirectory?: StatDirectory;
}

/**
 * `--watch-config`: polls every 2 s and calls `onChange` when
 *
 * - the config file's modification time or size changed. A file that
 *   disappears is ignored (an editor may be replacing it); its
 *   reappearance counts as a change;
 * - the directory's YAML files changed: one added, removed or renamed, or
 *   one's modification time or size. A directory that is missing or holds
 *   no YAML file is ignored; YAML files appearing in it count as a change.
 *
 * Polling follows symlinks, so it also sees bind mounts and Kubernetes
 * ConfigMaps that swap a link.
 */
export class ConfigWatcher {
  readonly #options: ConfigWatcherOptions;
  readonly #clock: Clock;
  readonly #stat: StatFile;
  readonly #statDirectory: StatDirectory;
  readonly #log: Logger;
  #lastFile: FileStamp | null = null;
  #lastDirectory: DirectoryStamp | null = null;
  #cancel: (() => void) | null = null;
  #stopped = false;

  constructor(options: ConfigWatcherOptions) {
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
    this.#stat = options.stat ?? statFile;
    this.#statDirectory = options.statDirectory ?? statDirectory;
    this.#log = options.logger.child("config");
  }

  /** Records the files as they are now, then polls until `stop()`. */
  async start(): Promise<void> {
    const { path, dir } = this.#options;
    if (path) {
      this.#lastFile = await this.#safeStat(path);
      this.#log.info("watching the config file for changes", { path });
    }
    if (dir) {
      this.#lastDirectory = await this.#safeStatDirectory(dir);
      this.#log.info("watching the config directory for changes", { dir });
    }
    this.#schedule();
  }

  /** Ends polling; a poll under way finishes without calling `onChange`. */
  stop(): void {
    this.#stopped = true;
    this.#cancel?.();
    this.#cancel = null;
  }

  /**
   * Looks at the file and the directory once and calls `onChange` when
   * either changed since the last look; resolves with whether it did. The
   * timer calls this every interval; tests may call it directly.
   */
  async check(): Promise<boolean> {
    const fileChanged = await this.#checkFile();
    const directoryChanged = await this.#checkDirectory();
    if (this.#stopped || !(fileChanged || directoryChanged)) return false;

    const { path, dir } = this.#options;
    if (fileChanged) this.#log.info("config file changed; reloading", { path });
    if (directoryChanged) {
      this.#log.info("config directory changed; reloading", { dir });
    }
    this.#options.onChange();
    return true;
  }

  async #checkFile(): Promise<boolean> {
    const path = this.#options.path;
    if (!path) return false;
    const now = await this.#safeStat(path);
    const before = this.#lastFile;
    this.#lastFile = now;
    if (now === null || (before !== null && sameStamp(before, now))) {
      return false;
    }
    return true;
  }

  async #checkDirectory(): Promise<boolean> {
    const dir = this.#options.dir;
    if (!dir) return false;
    const now = await this.#safeStatDirectory(dir);
    const before = this.#lastDirectory;
    this.#lastDirectory = now;
    if (now === null || (before !== null && sameDirectory(before, now))) {
      return false;
    }
    return true;
  }

  #schedule(): void {
    if (this.#stopped) return;
    this.#cancel = this.#clock.setTimer(() => {
      this.#cancel = null;
      this.check().finally(() => this.#schedule());
    }, this.#options.intervalMs ?? WATCH_INTERVAL_MS);
  }

  async #safeStat(path: string): Promise<FileStamp | null> {
    try {
      return await this.#stat(path);
    } catch (error) {
      this.#log.warn("cannot stat the config file", {
        path,
        error: errorText(error),
      });
      return this.#lastFile;
    }
  }

  async #safeStatDirectory(dir: string): Promise<DirectoryStamp | null> {
    try {
      return await this.#statDirectory(dir);
    } catch (error) {
      this.#log.warn("cannot read the config directory", {
        dir,
        error: errorText(error),
      });
      return this.#lastDirectory;
    }
  }
}

function sameStamp(a: FileStamp, b: FileStamp): boolean {
  return a.mtimeMs === b.mtimeMs && a.size === b.size;
}

function sameDirectory(a: DirectoryStamp, b: DirectoryStamp): boolean {
  return a.length === b.length &&
    a.every((file, i) =>
      file.path === b[i]?.path && sameStamp(file.stamp, b[i].stamp)
    );
}

/** `Deno.stat` (which follows symlinks); null for a missing file. */
async function statFile(path: string): Promise<FileStamp | null> {
  try {
    const info = await Deno.stat(path);
    return { mtimeMs: info.mtime?.getTime() ?? null, size: info.size };
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return null;
    throw error;
  }
}

/** The directory's YAML files with their stamps; null when none or missing. */
async function statDirectory(dir: string): Promise<DirectoryStamp | null> {
  let paths: string[];
  try {
    paths = await listConfigDirectory(dir);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return null;
    throw error;
  }
  const files = [];
  for (const path of paths) {
    const stamp = await statFile(path);
    if (stamp !== null) files.push({ path, stamp });
  }
  return files.length === 0 ? null : files;
}
