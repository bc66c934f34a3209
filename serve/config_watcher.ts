import { type Clock, systemClock } from "../lib/mod.ts";
import type { Logger } from "../log/mod.ts";

/** What the watcher compares between polls. */
export interface FileStamp {
  readonly mtimeMs: number | null;
  readonly size: number;
}

/** Stats `path` (following symlinks); null when the file does not exist. */
export type StatFile = (path: string) => Promise<FileStamp | null>;

/** How often `--watch-config` looks at the file. */
export const WATCH_INTERVAL_MS = 2_000;

export interface ConfigWatcherOptions {
  readonly path: string;
  /** Called once per change seen; must not throw. */
  readonly onChange: () => void;
  readonly logger: Logger;
  readonly clock?: Clock;
  readonly intervalMs?: number;
  readonly stat?: StatFile;
}

/**
 * `--watch-config`: polls the config file's modification time and size
 * every 2 s and calls `onChange` when either changed. Polling follows
 * symlinks, so it also sees bind mounts and Kubernetes ConfigMaps that
 * swap a link. A file that disappears is ignored (an editor may be
 * replacing it); its reappearance counts as a change.
 */
export class ConfigWatcher {
  readonly #options: ConfigWatcherOptions;
  readonly #clock: Clock;
  readonly #stat: StatFile;
  readonly #log: Logger;
  #last: FileStamp | null = null;
  #cancel: (() => void) | null = null;
  #stopped = false;

  constructor(options: ConfigWatcherOptions) {
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
    this.#stat = options.stat ?? statFile;
    this.#log = options.logger.child("config");
  }

  /** Records the file as it is now, then polls until `stop()`. */
  async start(): Promise<void> {
    this.#last = await this.#safeStat();
    this.#log.info("watching the config file for changes", {
      path: this.#options.path,
    });
    this.#schedule();
  }

  /** Ends polling; a poll under way finishes without calling `onChange`. */
  stop(): void {
    this.#stopped = true;
    this.#cancel?.();
    this.#cancel = null;
  }

  /**
   * Stats the file once and calls `onChange` when it changed since the
   * last look; resolves with whether it did. The timer calls this every
   * interval; tests may call it directly.
   */
  async check(): Promise<boolean> {
    const now = await this.#safeStat();
    const before = this.#last;
    this.#last = now;
    if (this.#stopped || now === null) return false;
    if (before !== null && sameStamp(before, now)) return false;

    this.#log.info("config file changed; reloading", {
      path: this.#options.path,
    });
    this.#options.onChange();
    return true;
  }

  #schedule(): void {
    if (this.#stopped) return;
    this.#cancel = this.#clock.setTimer(() => {
      this.#cancel = null;
      this.check().finally(() => this.#schedule());
    }, this.#options.intervalMs ?? WATCH_INTERVAL_MS);
  }

  async #safeStat(): Promise<FileStamp | null> {
    try {
      return await this.#stat(this.#options.path);
    } catch (error) {
      this.#log.warn("cannot stat the config file", {
        path: this.#options.path,
        error: error instanceof Error ? error.message : String(error),
      });
      return this.#last;
    }
  }
}

function sameStamp(a: FileStamp, b: FileStamp): boolean {
  return a.mtimeMs === b.mtimeMs && a.size === b.size;
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
