/** Counters served by `GET /debug/stats`. */
export interface SimulatorStats {
  /** Requests received, except `GET /health` and `GET /debug/stats`. */
  readonly requests: number;
  /** Requests whose client left before the answer was complete. */
  readonly cancelled: number;
  /** Requests being answered right now (a stream until its last frame). */
  readonly active: number;
}

/** The simulator's request counters; routes update them directly. */
export class RequestCounters {
  requests = 0;
  cancelled = 0;
  active = 0;

  snapshot(): SimulatorStats {
    return {
      requests: this.requests,
      cancelled: this.cancelled,
      active: this.active,
    };
  }
}
