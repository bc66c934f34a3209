/**
 * Shared helpers for tests that drive real `ModelProcess` children: model
 * configs, free ports, state recorders and process existence checks.
 */
import type { ModelConfig } from "../config/types.ts";
import { deferred } from "../lib/mod.ts";
import { testModelConfig } from "./model_config.ts";
import type { LogBuffer } from "../log/mod.ts";
import type {
  ModelProcessHandle,
  ProcessState,
  StateChange,
} from "../process/mod.ts";

/** A complete `ModelConfig` with test defaults; `overrides` win. */
export function modelConfig(overrides: Partial<ModelConfig> = {}): ModelConfig {
  return testModelConfig(overrides.id ?? "test-model", {
    cmd: "sleep 60",
    unloadTimeout: 2,
    healthCheckTimeout: 15,
    ...overrides,
  });
}

/** A loopback TCP port that was free a moment ago. */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

/** Collects every state change of `process` from now on. */
export function recordStates(process: ModelProcessHandle): {
  readonly changes: StateChange[];
  /** `from->to` pairs, e.g. `stopped->starting`. */
  transitions(): string[];
  stop(): void;
} {
  const changes: StateChange[] = [];
  const stop = process.onStateChange((change) => changes.push(change));
  return {
    changes,
    transitions: () => changes.map((c) => `${c.from}->${c.to}`),
    stop,
  };
}

/** Resolves with the next change of `process` into `state`. */
export function nextState(
  process: ModelProcessHandle,
  state: ProcessState,
): Promise<StateChange> {
  const reached = deferred<StateChange>();
  const stop = process.onStateChange((change) => {
    if (change.to !== state) return;
    stop();
    reached.resolve(change);
  });
  return reached.promise;
}

/** Resolves with the first match of `pattern` in the buffer's text. */
export function waitForText(
  buffer: LogBuffer,
  pattern: RegExp,
): Promise<string> {
  const found = deferred<string>();
  const check = () => {
    const match = buffer.text().match(pattern);
    if (!match) return;
    stop();
    found.resolve(match[0]);
  };
  const stop = buffer.subscribe(check);
  check();
  return found.promise;
}

/**
 * True when `pid` runs no more code: no such process, or a zombie waiting
 * for a parent to collect it. (An orphan's new parent may never collect
 * it, e.g. when PID 1 in a container does not reap.)
 */
export function isGone(pid: number): boolean {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    const state = stat.slice(stat.lastIndexOf(")") + 2).split(" ")[0];
    return state === "Z" || state === "X";
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return true;
    throw error;
  }
}
