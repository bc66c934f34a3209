/**
 * What the router tells observers (UI events, metrics, activity log) about
 * its decisions. Listeners run inside the loop, so they must return quickly
 * and must not throw.
 */
export type RouterNotice =
  /** A real swap was committed: `evict` stop first, then `model` loads. */
  | {
    readonly kind: "swapStarted";
    readonly model: string;
    readonly evict: readonly string[];
    readonly at: number;
  }
  /** A swap ended after `ms`; `error` is set when it failed or was dropped. */
  | {
    readonly kind: "swapFinished";
    readonly model: string;
    readonly ms: number;
    readonly error?: string;
  }
  /** A request had to wait in the queue. */
  | { readonly kind: "queued"; readonly model: string }
  /** A request was handed its model after waiting `waitedMs`. */
  | {
    readonly kind: "granted";
    readonly model: string;
    readonly waitedMs: number;
  }
  /** The queue length changed to `depth`. */
  | { readonly kind: "queueChanged"; readonly depth: number };
