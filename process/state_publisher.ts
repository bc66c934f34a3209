import { errorText } from "../lib/mod.ts";
import type { Clock } from "../lib/mod.ts";
import type { Logger } from "../log/mod.ts";
import type { ProcessState, StateChange } from "./types.ts";

type StateListener = (change: StateChange) => void;

/**
 * Holds one model's state and tells listeners about every real change.
 *
 * Each change is delivered in a microtask after it happened, in order, to
 * the listeners subscribed when it happened (and still subscribed), so a
 * listener never runs in the middle of its owner's transition. A listener
 * that throws is logged and keeps its subscription.
 */
export class StatePublisher {
  readonly model: string;
  #state: ProcessState = "stopped";
  #listeners = new Set<StateListener>();
  #clock: Clock;
  #log: Logger;

  constructor(model: string, clock: Clock, log: Logger) {
    this.model = model;
    this.#clock = clock;
    this.#log = log;
  }

  get current(): ProcessState {
    return this.#state;
  }

  /** Moves to `to`; a no-op (and no event) when already there. */
  set(to: ProcessState): void {
    const from = this.#state;
    if (from === to) return;
    this.#state = to;

    const change = { model: this.model, from, to, at: this.#clock.now() };
    const listeners = [...this.#listeners];
    queueMicrotask(() => {
      for (const listener of listeners) {
        if (this.#listeners.has(listener)) this.#deliver(listener, change);
      }
    });
  }

  /** Calls `listener` for each later change; returns unsubscribe. */
  subscribe(listener: StateListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #deliver(listener: StateListener, change: StateChange): void {
    try {
      listener(change);
    } catch (error) {
      this.#log.warn("state listener failed", {
        model: this.model,
        error: errorText(error),
      });
    }
  }
}
