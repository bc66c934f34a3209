import { errorText } from "../lib/mod.ts";
import type { Logger } from "../log/mod.ts";

/**
 * Work that runs on after the call that began it (registry writes, a
 * `cmdStop`, cleanup after a crash), kept so a shutdown can wait for it.
 * Failures are logged as warnings, never thrown.
 */
export class BackgroundWork {
  #pending = new Set<Promise<void>>();
  #log: Logger;

  constructor(log: Logger) {
    this.#log = log;
  }

  get size(): number {
    return this.#pending.size;
  }

  /** Keeps `work` until it settles; `undefined` is ignored. */
  track(work: Promise<void> | undefined, what: string): void {
    if (!work) return;
    const kept: Promise<void> = work
      .catch((error) => {
        this.#log.warn(`${what} failed`, {
          error: errorText(error),
        });
      })
      .finally(() => this.#pending.delete(kept));
    this.#pending.add(kept);
  }

  /** Resolves once everything tracked, including work added meanwhile, is done. */
  async settled(): Promise<void> {
    while (this.#pending.size > 0) {
      await Promise.all(this.#pending);
    }
  }
}
