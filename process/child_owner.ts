import { errorText } from "../lib/mod.ts";
import type { Clock } from "../lib/mod.ts";
import type { Logger } from "../log/mod.ts";
import type { BackgroundWork } from "./background_work.ts";
import type { ProcessControl } from "./process_control.ts";
import type { ProcessRegistry } from "./registry.ts";
import type { OutputSink, RunningChild } from "./running_child.ts";
import { requestStop } from "./stop_command.ts";
import { finishChild, stopChild } from "./stop_child.ts";

export interface ChildOwnerOptions {
  model: string;
  /** The model's `cmdStop`; "" to signal the group instead. */
  cmdStop: string;
  env: Readonly<Record<string, string>>;
  sinks: readonly OutputSink[];
  control: ProcessControl;
  clock: Clock;
  log: Logger;
  registry: ProcessRegistry | null;
  background: BackgroundWork;
}

/**
 * Keeps the one child a model runs at a time: records it in the registry
 * while it lives, stops it, and cleans up after it. Decides nothing about
 * states; `ModelProcess` calls it.
 */
export class ChildOwner {
  #options: ChildOwnerOptions;
  #current: RunningChild | null = null;

  constructor(options: ChildOwnerOptions) {
    this.#options = options;
  }

  /** The running child, or null. */
  get current(): RunningChild | null {
    return this.#current;
  }

  /** Makes `child` the current one and records its group. */
  adopt(child: RunningChild, startedAt: number): void {
    const { log, model, registry, background } = this.#options;
    this.#current = child;
    log.debug("model process spawned", {
      model,
      pid: child.pid,
      argv: child.argv.join(" "),
    });
    const record = registry?.add({
      ownerPid: Deno.pid,
      pgid: child.pid,
      pid: child.pid,
      model,
      argv0: child.argv[0] ?? "",
      startedAt,
    });
    background.track(record, "process registry update");
  }

  /**
   * Stops `child` (`cmdStop` or SIGTERM; whatever of its group still runs
   * after `graceMs`, leader or not, gets SIGKILL), logs the stop with its
   * duration and forgets the child. Never rejects.
   */
  async stop(child: RunningChild, graceMs: number): Promise<void> {
    const { clock, control, log, model } = this.#options;
    const began = clock.now();
    try {
      const { forced } = await stopChild(child, {
        model,
        graceMs,
        requestStop: () => this.#requestStop(child),
        control,
        clock,
        log,
      });
      const ms = clock.now() - began;
      log.info("model stopped", { model, pid: child.pid, ms, forced });
    } catch (error) {
      log.warn("stop failed", {
        model,
        pid: child.pid,
        error: errorText(error),
      });
    } finally {
      this.#release(child);
    }
  }

  /**
   * After `child` exited by itself: kills what is left of its group,
   * finishes its output and forgets it. `current` is cleared at once.
   */
  async finish(child: RunningChild): Promise<void> {
    if (this.#current === child) this.#current = null;
    const { clock, control, log, model } = this.#options;
    await finishChild(child, { model, control, clock, log });
    this.#release(child);
  }

  #requestStop(child: RunningChild): void {
    const running = requestStop({ ...this.#options, target: child });
    this.#options.background.track(running, "cmdStop");
  }

  #release(child: RunningChild): void {
    if (this.#current === child) this.#current = null;
    const removal = this.#options.registry?.remove(child.pid);
    this.#options.background.track(removal, "process registry update");
  }
}
