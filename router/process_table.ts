import { type Deferred, deferred } from "../lib/mod.ts";
import type { Logger } from "../log/mod.ts";
import type { ModelProcessHandle, ProcessState } from "../process/mod.ts";

/** Stop grace by model, in ms. */
export type GraceMs = Readonly<Record<string, number>>;

export interface ProcessTableOptions {
  /** The first configuration's processes, by model. */
  readonly processes: ReadonlyMap<string, ModelProcessHandle>;
  readonly log: Logger;
  /** Called for each retiring process once it was shut down. */
  readonly onRetired?: (process: ModelProcessHandle) => void;
}

/** A process map waiting for the scheduler to install it. */
interface Staged {
  readonly processes: ReadonlyMap<string, ModelProcessHandle>;
  /** Resolves with the replaced models whose old process was running. */
  readonly installed: Deferred<string[]>;
}

/**
 * The processes the router drives: the current configuration's, by model,
 * and the retiring ones a newer configuration replaced or removed, which
 * go on serving the requests granted to them until they are shut down.
 *
 * Every stop goes through here, and stopping a model also shuts its
 * retiring processes down, so an old and a new process of one model never
 * run side by side. Stop failures are logged, never thrown.
 */
export class ProcessTable {
  readonly #log: Logger;
  readonly #onRetired: (process: ModelProcessHandle) => void;
  #current: ReadonlyMap<string, ModelProcessHandle>;
  readonly #retiring = new Map<string, ModelProcessHandle[]>();
  readonly #staged = new Map<number, Staged>();

  constructor(options: ProcessTableOptions) {
    this.#current = options.processes;
    this.#log = options.log;
    this.#onRetired = options.onRetired ?? (() => {});
  }

  /** The current process of `model`. */
  get(model: string): ModelProcessHandle | undefined {
    return this.#current.get(model);
  }

  /** The current process's state, or a retiring one's while that runs. */
  state(model: string): ProcessState {
    const state = this.#current.get(model)?.state ?? "stopped";
    if (state !== "stopped") return state;

    for (const old of this.#retiring.get(model) ?? []) {
      if (old.state !== "stopped" && old.state !== "shutdown") return old.state;
    }
    return state;
  }

  /**
   * Keeps `processes` until `install(generation)`. Resolves then, with the
   * models whose replaced process was starting or ready at that moment;
   * with none if `settle()` comes first.
   */
  stage(
    generation: number,
    processes: ReadonlyMap<string, ModelProcessHandle>,
  ): Promise<string[]> {
    const installed = deferred<string[]>();
    this.#staged.set(generation, { processes, installed });
    return installed.promise;
  }

  /**
   * Makes the map staged for `generation` current; the processes it no
   * longer holds become retiring. False (and logged) when none is staged.
   */
  install(generation: number): boolean {
    const staged = this.#staged.get(generation);
    if (!staged) {
      this.#log.error("no processes staged for the new configuration", {
        generation,
      });
      return false;
    }

    this.#staged.delete(generation);
    const wasRunning: string[] = [];
    for (const [model, old] of this.#current) {
      if (staged.processes.get(model) === old) continue;

      const running = old.state === "starting" || old.state === "ready";
      if (running && staged.processes.has(model)) wasRunning.push(model);
      this.#retiring.set(model, [...this.#retiring.get(model) ?? [], old]);
    }
    this.#current = staged.processes;
    staged.installed.resolve(wasRunning.sort());
    return true;
  }

  /** Resolves every staging that was never installed, with no models. */
  settle(): void {
    for (const staged of this.#staged.values()) staged.installed.resolve([]);
    this.#staged.clear();
  }

  /** Stops each model's process and shuts its retiring ones down. */
  async stop(models: readonly string[], graceMs: GraceMs): Promise<void> {
    await Promise.all([
      this.#each(models, (process, grace) => process.stop(grace), graceMs),
      this.retire(models, graceMs),
    ]);
  }

  /** Shuts the retiring processes of `models` down and forgets them. */
  async retire(models: readonly string[], graceMs: GraceMs): Promise<void> {
    await Promise.all(
      models.flatMap((model) =>
        (this.#retiring.get(model) ?? []).map(async (old) => {
          await this.#guarded(model, () => old.shutdown(graceMs[model] ?? 0));
          const left = (this.#retiring.get(model) ?? []).filter((p) =>
            p !== old
          );
          if (left.length > 0) this.#retiring.set(model, left);
          else this.#retiring.delete(model);
          this.#onRetired(old);
        })
      ),
    );
  }

  /**
   * Shuts down each model's process for good, and every retiring process:
   * those of models not in `models` get the longest grace given.
   */
  async shutdown(models: readonly string[], graceMs: GraceMs): Promise<void> {
    const longest = Math.max(0, ...Object.values(graceMs));
    const others = [...this.#retiring.keys()].filter((m) =>
      !models.includes(m)
    );
    const otherGrace = Object.fromEntries(others.map((m) => [m, longest]));
    await Promise.all([
      this.#each(models, (process, grace) => process.shutdown(grace), graceMs),
      this.retire([...models, ...others], { ...otherGrace, ...graceMs }),
    ]);
  }

  /** Runs `act` on each model's current process in parallel. */
  async #each(
    models: readonly string[],
    act: (process: ModelProcessHandle, graceMs: number) => Promise<void>,
    graceMs: GraceMs,
  ): Promise<void> {
    await Promise.all(models.map((model) => {
      const process = this.#current.get(model);
      if (!process) return;
      return this.#guarded(model, () => act(process, graceMs[model] ?? 0));
    }));
  }

  async #guarded(model: string, stop: () => Promise<void>): Promise<void> {
    try {
      await stop();
    } catch (error) {
      this.#log.warn("stop failed", { model, error: String(error) });
    }
  }
}
