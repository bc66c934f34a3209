import { type Deferred, deferred } from "../lib/mod.ts";
import { RouterError } from "./errors.ts";
import type { RouterEvent } from "./events.ts";
import type { PendingRequest } from "./request.ts";
import type { Lease, RequestOptions, Ticket } from "./ticket.ts";

export interface CallerOptions extends RequestOptions {
  readonly id: number;
  readonly model: string;
  /** Posts an event to the run loop; never blocks. */
  readonly post: (event: RouterEvent) => void;
  /** Called once, when the scheduler no longer needs to reach this caller. */
  readonly onSettled: () => void;
}

/**
 * The router's side of one client request: its ticket and lease promises
 * and its abort signal. Moves from arrived to admitted to granted, or to
 * over (refused or left), and never back.
 */
export class Caller {
  readonly request: PendingRequest;
  readonly #options: CallerOptions;
  #state: "arrived" | "admitted" | "granted" | "over" = "arrived";
  readonly #ticket: Deferred<Ticket> = deferred();
  readonly #lease: Deferred<Lease> = deferred();
  #ticketSettled = false;
  #position = 0;

  constructor(options: CallerOptions) {
    this.#options = options;
    this.request = { id: options.id, model: options.model };
    options.signal.addEventListener("abort", this.#onAbort, { once: true });
  }

  get ticket(): Promise<Ticket> {
    return this.#ticket.promise;
  }

  /** True while the caller waits for admission or a grant. */
  get waiting(): boolean {
    return (this.#state === "arrived" || this.#state === "admitted") &&
      !this.#options.signal.aborted;
  }

  /**
   * Marks the caller admitted. The ticket resolves in a microtask, after
   * the scheduler's current step, so `immediate` tells whether that same
   * step granted it. False when the caller already left.
   */
  admit(): boolean {
    if (this.#state !== "arrived" || this.#options.signal.aborted) return false;

    this.#state = "admitted";
    queueMicrotask(() => this.#settleTicket());
    return true;
  }

  /**
   * Hands over a lease whose `release()` calls `end` and posts
   * `serveFinished`. The caller must be `waiting`.
   */
  grant(priority: number, end: () => void): void {
    this.#state = "granted";
    this.#settle();

    let released = false;
    const { post, model, id } = this.#options;
    this.#lease.resolve({
      model,
      priority,
      release() {
        if (released) return;
        released = true;
        end();
        post({ kind: "serveFinished", requestId: id });
      },
    });
  }

  /** Answers with `error`: the ticket before admission, else the lease. */
  reject(error: RouterError): void {
    if (this.#state === "granted" || this.#state === "over") return;

    this.#fail(error);
  }

  /** Tells the caller its queue position, when it changed. */
  position(position: number): void {
    if (position === this.#position || this.#state !== "admitted") return;

    this.#position = position;
    this.#options.onQueuePosition?.(position);
  }

  /** Tells a caller that had a queue position that it left the queue. */
  leftQueue(): void {
    if (this.#position === 0 || this.#state !== "admitted") return;

    this.#position = 0;
    this.#options.onQueuePosition?.(null);
  }

  #onAbort = (): void => {
    if (this.#state === "granted" || this.#state === "over") return;

    const { model, signal, id, post } = this.#options;
    this.#fail(RouterError.clientGone(model, signal.reason));
    post({ kind: "requestCancelled", requestId: id });
  };

  #fail(error: RouterError): void {
    const admitted = this.#state === "admitted";
    this.#state = "over";
    this.#settle();

    if (admitted) {
      this.#lease.reject(error);
    } else {
      this.#ticketSettled = true;
      this.#ticket.reject(error);
    }
  }

  #settleTicket(): void {
    if (this.#ticketSettled) return;

    this.#ticketSettled = true;
    this.#ticket.resolve({
      immediate: this.#state === "granted",
      lease: this.#lease.promise,
    });
  }

  #settle(): void {
    this.#options.signal.removeEventListener("abort", this.#onAbort);
    this.#options.onSettled();
  }
}
