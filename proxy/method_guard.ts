import type { Hono } from "hono";
import { methodNotAllowed } from "../lib/mod.ts";
import type { ProxyEnv } from "./deps.ts";

/**
 * Remembers which methods each path was registered for, then answers every
 * other method on those paths with 405 and an `Allow` header, as Go's mux
 * does. `seal()` must run after all routes are registered.
 */
export class MethodGuard {
  #allowed = new Map<string, Set<string>>();

  /** Records that `path` answers `methods` (GET implies HEAD). */
  allow(path: string, ...methods: string[]): void {
    const set = this.#allowed.get(path) ?? new Set<string>();
    for (const method of methods) set.add(method);
    this.#allowed.set(path, set);
  }

  /** Registers the 405 answers; later than every real route. */
  seal(app: Hono<ProxyEnv>): void {
    for (const [path, methods] of this.#allowed) {
      app.all(path, () => methodNotAllowed(methods));
    }
  }
}
