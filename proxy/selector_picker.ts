import type { Config, SelectorConfig } from "../config/types.ts";
import type { ModelProcessHandle, ProcessState } from "../process/types.ts";
import { HttpError } from "./errors.ts";
import { resolveModel } from "./resolve_model.ts";

/** The target a selector chose for one request. */
export interface SelectorChoice {
  /** The target as configured: a model ID, an alias or a peer name. */
  readonly target: string;
  /**
   * Ends the request's reservation on the target (spillover only; a no-op
   * for the other strategies). Safe to call any number of times.
   */
  release(): void;
}

/** What a pick looks at; one request's view of the world. */
export interface PickContext {
  readonly config: Config;
  readonly processes: ReadonlyMap<string, ModelProcessHandle>;
}

/** One configured target as a pick sees it. */
interface Candidate {
  readonly target: string;
  /** The real local model ID or the peer model's FQN. */
  readonly key: string;
  /** The local process state; null for a peer model. */
  readonly state: ProcessState | null;
  readonly reserved: number;
}

/**
 * Chooses a target for requests that name a selector. `pin` takes the
 * first target; `warm` the first ready one, else the first one starting,
 * else the first (which the request then starts).
 *
 * `spillover` counts, per selector and target, the requests it sent there
 * and that have not finished. Stopping and shut down targets are skipped.
 * Among the active targets (local ones starting or ready, and any with
 * reservations) the least busy is chosen while it holds fewer than
 * `settings.spillover` requests, ties taken in turn; when all are full the
 * first cold target is started; with no cold target left, the least busy
 * takes the request anyway. No usable target at all is a 503.
 *
 * The counts live as long as the picker, across config reloads: a request
 * releases the count it took even when the selector changed meanwhile.
 */
export class SelectorPicker {
  /** Selector ID -> target key -> requests reserved there. */
  readonly #reserved = new Map<string, Map<string, number>>();
  /** Selector ID -> how many ties it has broken, for turn taking. */
  readonly #turns = new Map<string, number>();

  /** Picks a target now; throws `HttpError` 503 when none can serve. */
  pick(selector: SelectorConfig, context: PickContext): SelectorChoice {
    const candidates = this.#candidates(selector, context);
    switch (selector.strategy) {
      case "pin":
        return unreserved(selector.targets[0]!);
      case "warm":
        return unreserved(warmTarget(candidates) ?? selector.targets[0]!);
      case "spillover":
        return this.#spill(selector, candidates);
      default:
        return selector.strategy satisfies never;
    }
  }

  /** Requests currently reserved on `key` by `selector` (for tests). */
  reservations(selector: string, key: string): number {
    return this.#reserved.get(selector)?.get(key) ?? 0;
  }

  #candidates(selector: SelectorConfig, context: PickContext): Candidate[] {
    const counts = this.#reserved.get(selector.id);
    const candidates: Candidate[] = [];
    for (const target of selector.targets) {
      const resolved = resolveModel(context.config, target);
      if (!resolved) continue;
      const state = resolved.kind === "local"
        ? context.processes.get(resolved.id)?.state ?? "stopped"
        : null;
      const reserved = counts?.get(resolved.id) ?? 0;
      candidates.push({ target, key: resolved.id, state, reserved });
    }
    return candidates;
  }

  #spill(selector: SelectorConfig, all: Candidate[]): SelectorChoice {
    const usable = all.filter((c) =>
      c.state !== "stopping" && c.state !== "shutdown"
    );
    const active = usable.filter((c) =>
      c.reserved > 0 || c.state === "ready" || c.state === "starting"
    );
    const cold = usable.find((c) => !active.includes(c));

    let chosen: Candidate | undefined;
    if (active.length > 0) {
      const least = Math.min(...active.map((c) => c.reserved));
      chosen = least < selector.spillover || !cold
        ? this.#takeTurn(
          selector.id,
          active.filter((c) => c.reserved === least),
        )
        : cold;
    } else {
      chosen = cold;
    }
    if (!chosen) {
      throw new HttpError(
        503,
        `selector "${selector.id}" has no available spillover targets`,
      );
    }
    return this.#reserve(selector.id, chosen);
  }

  #takeTurn(selector: string, tied: Candidate[]): Candidate {
    const turn = this.#turns.get(selector) ?? 0;
    this.#turns.set(selector, turn + 1);
    return tied[turn % tied.length]!;
  }

  #reserve(selector: string, chosen: Candidate): SelectorChoice {
    let counts = this.#reserved.get(selector);
    if (!counts) {
      counts = new Map();
      this.#reserved.set(selector, counts);
    }
    counts.set(chosen.key, (counts.get(chosen.key) ?? 0) + 1);

    let released = false;
    return {
      target: chosen.target,
      release: () => {
        if (released) return;
        released = true;
        const left = (counts.get(chosen.key) ?? 1) - 1;
        if (left > 0) {
          counts.set(chosen.key, left);
          return;
        }
        counts.delete(chosen.key);
        if (counts.size === 0 && this.#reserved.get(selector) === counts) {
          this.#reserved.delete(selector);
        }
      },
    };
  }
}

function warmTarget(candidates: readonly Candidate[]): string | undefined {
  return (candidates.find((c) => c.state === "ready") ??
    candidates.find((c) => c.state === "starting"))?.target;
}

function unreserved(target: string): SelectorChoice {
  return { target, release() {} };
}
