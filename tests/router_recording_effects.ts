import { Logger } from "../log/mod.ts";
import type { ProcessState } from "../process/mod.ts";
import type {
  Effects,
  PendingRequest,
  RouterError,
  RouterNotice,
} from "../router/mod.ts";

export interface StopCall {
  readonly stopId: number;
  readonly models: readonly string[];
  readonly graceMs: Readonly<Record<string, number>>;
  readonly shutdown: boolean;
  /** True for `retireProcesses()`: old processes, not the models' own. */
  readonly retire?: boolean;
}

export interface SwapCall {
  readonly swapId: number;
  readonly model: string;
  readonly evict: readonly string[];
  readonly graceMs: Readonly<Record<string, number>>;
}

/**
 * An `Effects` that records every call and acts on nothing, for driving a
 * scheduler by hand. Process states and the clock are plain fields the
 * test sets; callers in `gone` have left, so `admit()` and `grant()` on
 * them return false.
 */
export class RecordingEffects implements Effects {
  readonly log: Logger;
  readonly logLines: string[] = [];
  time = 1_000_000;
  readonly states = new Map<string, ProcessState>();
  readonly gone = new Set<number>();
  /** Callers that leave right after admission, before any grant. */
  readonly leavesAfterAdmission = new Set<number>();

  readonly admitted: number[] = [];
  readonly granted: { id: number; model: string; priority: number }[] = [];
  readonly rejected: { id: number; model: string; error: RouterError }[] = [];
  readonly swaps: SwapCall[] = [];
  readonly cancelledSwaps: number[] = [];
  readonly stops: StopCall[] = [];
  readonly completedUnloads: number[] = [];
  /** Generations passed to `replaceProcesses()`, in order. */
  readonly replacedGenerations: number[] = [];
  shutdownsFinished = 0;
  /** Request ID -> every position published to it, in order. */
  readonly positions = new Map<number, number[]>();
  /** Requests that left the queue to be served, in order. */
  readonly leftQueueIds: number[] = [];
  /** Pending timers: key -> due time. */
  readonly timers = new Map<string, number>();
  readonly notices: RouterNotice[] = [];

  constructor(states: Record<string, ProcessState> = {}) {
    for (const [model, state] of Object.entries(states)) {
      this.states.set(model, state);
    }
    this.log = new Logger({ write: (line) => this.logLines.push(line) }, {
      level: "debug",
    });
  }

  now(): number {
    return this.time;
  }

  processState(model: string): ProcessState {
    return this.states.get(model) ?? "stopped";
  }

  admit(request: PendingRequest): boolean {
    if (this.gone.has(request.id)) return false;
    this.admitted.push(request.id);
    if (this.leavesAfterAdmission.has(request.id)) this.gone.add(request.id);
    return true;
  }

  reject(request: PendingRequest, error: RouterError): void {
    this.rejected.push({ id: request.id, model: request.model, error });
  }

  grant(request: PendingRequest, priority: number): boolean {
    if (this.gone.has(request.id)) return false;
    this.granted.push({ id: request.id, model: request.model, priority });
    return true;
  }

  startSwap(
    swapId: number,
    model: string,
    evict: readonly string[],
    graceMs: Readonly<Record<string, number>>,
  ): void {
    this.swaps.push({ swapId, model, evict, graceMs });
  }

  cancelSwap(swapId: number): void {
    this.cancelledSwaps.push(swapId);
  }

  stopProcesses(
    stopId: number,
    models: readonly string[],
    graceMs: Readonly<Record<string, number>>,
  ): void {
    this.stops.push({ stopId, models, graceMs, shutdown: false });
  }

  shutdownProcesses(
    stopId: number,
    models: readonly string[],
    graceMs: Readonly<Record<string, number>>,
  ): void {
    this.stops.push({ stopId, models, graceMs, shutdown: true });
  }

  retireProcesses(
    stopId: number,
    models: readonly string[],
    graceMs: Readonly<Record<string, number>>,
  ): void {
    this.stops.push({ stopId, models, graceMs, shutdown: false, retire: true });
  }

  replaceProcesses(generation: number): void {
    this.replacedGenerations.push(generation);
  }

  completeUnload(unloadId: number): void {
    this.completedUnloads.push(unloadId);
  }

  finishShutdown(): void {
    this.shutdownsFinished++;
  }

  notifyPositions(requests: readonly PendingRequest[], first: number): void {
    requests.forEach((request, at) => {
      const seen = this.positions.get(request.id) ?? [];
      seen.push(first + at);
      this.positions.set(request.id, seen);
    });
  }

  leftQueue(request: PendingRequest): void {
    this.leftQueueIds.push(request.id);
  }

  scheduleTimer(at: number, key: string): void {
    this.timers.set(key, at);
  }

  cancelTimer(key: string): void {
    this.timers.delete(key);
  }

  notify(notice: RouterNotice): void {
    this.notices.push(notice);
  }

  /** Models granted so far, in grant order. */
  get servedModels(): string[] {
    return this.granted.map((grant) => grant.model);
  }

  /** Targets of the swaps started so far, in start order. */
  get loads(): string[] {
    return this.swaps.map((swap) => swap.model);
  }
}
