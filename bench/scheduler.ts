/**
 * The FIFO scheduler alone: CPU time per decision and loads against the
 * optimum, for 10,000 requests over 50 mutually exclusive models.
 *
 *     deno run -A bench/scheduler.ts [--quick]
 */
import { parseArgs } from "node:util";
import type { RouterConfig } from "../config/mod.ts";
import { silentLogger } from "../log/mod.ts";
import { createPlanner } from "../planners/mod.ts";
import type { ProcessState } from "../process/mod.ts";
import {
  type Effects,
  FifoScheduler,
  type ModelRules,
  type PendingRequest,
} from "../router/mod.ts";
import { Prng } from "./prng.ts";
import {
  figure,
  formatSection,
  ms,
  ratio,
  type ResultSection,
} from "./report.ts";

export interface SchedulerBenchOptions {
  readonly requests?: number;
  readonly models?: number;
  readonly seed?: number;
}

/** One workload's outcome. */
export interface SchedulerRun {
  readonly requests: number;
  readonly granted: number;
  readonly rejected: number;
  readonly loads: number;
  /** Distinct models requested: the fewest loads that could serve all. */
  readonly distinctModels: number;
  /** Loads when served in arrival order: each change of model loads. */
  readonly arrivalOrderLoads: number;
  /** Scheduler handler calls made. */
  readonly calls: number;
  /** Time spent inside scheduler handlers, ms. */
  readonly schedulerMs: number;
  /** The longest single handler call, ms (the loop is busy that long). */
  readonly longestCallMs: number;
}

export interface SchedulerFigures {
  readonly models: number;
  /** Every request queued before the first load finishes. */
  readonly allQueued: SchedulerRun;
  /** Arrivals interleaved at random with load ends and releases. */
  readonly randomArrival: SchedulerRun;
}

/** Runs both workloads against the real `FifoScheduler` and planner. */
export function runSchedulerBench(
  options: SchedulerBenchOptions = {},
): SchedulerFigures {
  const requests = options.requests ?? 10_000;
  const models = options.models ?? 50;
  const seed = options.seed ?? 1;
  return {
    models,
    allQueued: runWorkload({ requests, models, seed, interleave: false }),
    randomArrival: runWorkload({ requests, models, seed, interleave: true }),
  };
}

/**
 * An `Effects` that acts on nothing but keeps what the driver needs: the
 * swaps started and the requests granted, plus process states the driver
 * sets as swaps end.
 */
class BenchEffects implements Effects {
  readonly log = silentLogger;
  readonly states = new Map<string, ProcessState>();
  readonly swaps: { swapId: number; model: string; evict: string[] }[] = [];
  readonly granted: number[] = [];
  rejected = 0;
  time = 0;

  now(): number {
    return this.time;
  }
  processState(model: string): ProcessState {
    return this.states.get(model) ?? "stopped";
  }
  admit(): boolean {
    return true;
  }
  reject(): void {
    this.rejected++;
  }
  grant(request: PendingRequest): boolean {
    this.granted.push(request.id);
    return true;
  }
  startSwap(swapId: number, model: string, evict: readonly string[]): void {
    this.swaps.push({ swapId, model, evict: [...evict] });
  }
  cancelSwap(): void {}
  stopProcesses(): void {}
  retireProcesses(): void {}
  replaceProcesses(): void {}
  shutdownProcesses(): void {}
  completeUnload(): void {}
  finishShutdown(): void {}
  notifyPositions(): void {}
  leftQueue(): void {}
  scheduleTimer(): void {}
  cancelTimer(): void {}
  notify(): void {}
}

function runWorkload(options: {
  requests: number;
  models: number;
  seed: number;
  interleave: boolean;
}): SchedulerRun {
  const prng = new Prng(options.seed);
  const names = Array.from(
    { length: options.models },
    (_, i) => `model-${String(i).padStart(2, "0")}`,
  );
  const effects = new BenchEffects();
  const rules: Record<string, ModelRules> = {};
  for (const name of names) {
    rules[name] = { concurrencyLimit: 1_000_000, unloadTimeoutMs: 10_000 };
  }
  const scheduler = new FifoScheduler({
    effects,
    planner: createPlanner(oneSwapGroup(names), new Set(names)),
    settings: { models: rules, priority: {}, maxWaitMs: 0 },
  });

  let schedulerMs = 0;
  let longestCallMs = 0;
  let calls = 0;
  const timed = (call: () => void) => {
    const started = performance.now();
    call();
    const took = performance.now() - started;
    schedulerMs += took;
    longestCallMs = Math.max(longestCallMs, took);
    calls++;
  };

  let nextId = 0;
  let finishedSwaps = 0;
  let released = 0;
  const requested = new Set<string>();
  let arrivalOrderLoads = 0;
  let previous = "";
  const arrive = () => {
    const model = prng.pick(names);
    requested.add(model);
    if (model !== previous) arrivalOrderLoads++;
    previous = model;
    const request = { id: ++nextId, model };
    effects.time++;
    timed(() => scheduler.onRequestArrived(request));
  };
  const finishSwap = () => {
    const swap = effects.swaps[finishedSwaps++]!;
    for (const evicted of swap.evict) effects.states.set(evicted, "stopped");
    effects.states.set(swap.model, "ready");
    timed(() => scheduler.onSwapFinished(swap.swapId, swap.model, null));
  };
  const release = () => {
    const id = effects.granted[released++]!;
    timed(() => scheduler.onServeFinished(id));
  };

  if (!options.interleave) {
    while (nextId < options.requests) arrive();
  }
  for (;;) {
    const canArrive = nextId < options.requests;
    const canFinish = finishedSwaps < effects.swaps.length;
    const canRelease = released < effects.granted.length;
    if (!canArrive && !canFinish && !canRelease) break;
    if (canArrive && (prng.chance(0.5) || (!canFinish && !canRelease))) {
      arrive();
    } else if (canRelease && (!canFinish || prng.chance(0.8))) {
      release();
    } else {
      finishSwap();
    }
  }

  return {
    requests: options.requests,
    granted: effects.granted.length,
    rejected: effects.rejected,
    loads: effects.swaps.length,
    distinctModels: requested.size,
    arrivalOrderLoads,
    calls,
    schedulerMs,
    longestCallMs,
  };
}

/** Every model in one group that swaps: one model runs at a time. */
function oneSwapGroup(names: readonly string[]): RouterConfig {
  return {
    use: "group",
    groups: {
      "(default)": {
        swap: true,
        exclusive: true,
        persistent: false,
        members: names,
      },
    },
  };
}

/** The figures as a results section. */
export function schedulerSection(figures: SchedulerFigures): ResultSection {
  const rows = [];
  for (
    const [label, run] of [
      ["all queued at once", figures.allQueued],
      ["random arrival", figures.randomArrival],
    ] as const
  ) {
    const perRequestUs = run.schedulerMs * 1000 / run.requests;
    const perCallUs = run.schedulerMs * 1000 / run.calls;
    rows.push(
      figure(`${label}: scheduler CPU per request`, `${us(perRequestUs)}`),
      figure(`${label}: scheduler CPU per decision`, `${us(perCallUs)}`),
      figure(`${label}: longest single decision`, ms(run.longestCallMs)),
      figure(
        `${label}: loads / distinct models`,
        `${run.loads} / ${run.distinctModels} (${
          ratio(run.loads / run.distinctModels)
        })`,
      ),
      figure(
        `${label}: loads if served in arrival order`,
        String(run.arrivalOrderLoads),
      ),
      figure(
        `${label}: granted / requests`,
        `${run.granted} / ${run.requests}`,
      ),
    );
  }
  return {
    title: "Scheduler",
    method: `
\`FifoScheduler\` with the real group planner (all ${figures.models} models in
one swapping group, so only one runs at a time) and a no-op \`Effects\`;
${figures.allQueued.requests.toLocaleString("en-US")} requests, each for a
model picked by a seeded PRNG. "All queued at once": every request arrives
before any load finishes, then loads end and requests finish one by one.
"Random arrival": arrivals, load ends and request ends interleave at random.
CPU time is \`performance.now()\` around each handler call (arrival, load
finished, request finished), summed; "per decision" divides it by the
handler calls; the longest single call is how long the run loop was busy
with one event. The optimum number of loads is the number of distinct
models requested; with random arrival a model can be wanted again after it
was evicted, so more loads are expected there.
`,
    rows,
    headline: [
      "all queued at once: scheduler CPU per decision",
      "all queued at once: longest single decision",
      "all queued at once: loads / distinct models",
    ],
  };
}

function us(value: number): string {
  return `${value.toFixed(2)} µs`;
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: { quick: { type: "boolean", default: false } },
  });
  const figures = runSchedulerBench(
    values.quick ? { requests: 2000 } : {},
  );
  const text = formatSection(schedulerSection(figures));
  Deno.stdout.writeSync(new TextEncoder().encode(text));
}
