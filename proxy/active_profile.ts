import { errorText } from "../lib/mod.ts";
import type { Config, ProfileConfig } from "../config/types.ts";
import type { Logger } from "../log/mod.ts";

/** Hears the new active profile's name, or null when none is active. */
export type ProfileListener = (active: string | null) => void;

/**
 * Which profile is active: none at start, then whatever
 * `PUT /api/profiles/active` selected. A selection belongs to the config it
 * was made under; the first time a different config object shows up (a
 * reload), the selection goes back to none.
 *
 * The proxy app calls `sync()` with the config of every request, so a
 * reload is noticed by the next request at the latest; whoever performs
 * the reload may call it at once to publish the reset sooner. Listeners
 * hear every real change, the reset included, and never a no-op.
 */
export class ActiveProfile {
  readonly #logger: Logger;
  #config: Config | null = null;
  #name: string | null = null;
  readonly #listeners = new Set<ProfileListener>();

  constructor(logger: Logger) {
    this.#logger = logger;
  }

  /** The active profile's name, as of the last config seen; null when none. */
  get name(): string | null {
    return this.#name;
  }

  /** The active profile under `config`, or null when none is active. */
  current(config: Config): ProfileConfig | null {
    this.sync(config);
    if (this.#name === null) return null;
    return Object.hasOwn(config.profiles, this.#name)
      ? config.profiles[this.#name]!
      : null;
  }

  /** Adopts `config`; when it is a new config, no profile is active. */
  sync(config: Config): void {
    if (this.#config === config) return;
    this.#config = config;
    this.#set(null);
  }

  /**
   * Activates the profile `name` of `config`, or none for null. Returns
   * false, changing nothing, when `config` has no such profile.
   */
  select(config: Config, name: string | null): boolean {
    this.sync(config);
    if (name !== null && !Object.hasOwn(config.profiles, name)) return false;
    this.#set(name);
    return true;
  }

  /**
   * Calls `listener` after each change of the active profile (not for the
   * state at subscription time: read `name` for that). Returns the
   * unsubscribe function. A throwing listener is logged and skipped.
   */
  onProfileChanged(listener: ProfileListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #set(name: string | null): void {
    if (this.#name === name) return;
    this.#name = name;
    for (const listener of [...this.#listeners]) {
      try {
        listener(name);
      } catch (error) {
        this.#logger.warn("profile listener failed", {
          active: name ?? "none",
          error: errorText(error),
        });
      }
    }
  }
}
