/**
 * The soak's client side: many mixed requests at a fixed concurrency, some
 * aborted by the client, each classified by how it ended.
 */
import { errorText } from "../lib/mod.ts";
import { Prng } from "./prng.ts";

export interface SoakLoadOptions {
  readonly url: string;
  readonly models: readonly string[];
  readonly requests: number;
  readonly concurrency: number;
  /** Share of requests the client aborts after a random short delay. */
  readonly abortShare: number;
  /** A request not settled after this long counts as hung (and is aborted). */
  readonly deadlineMs: number;
  readonly seed: number;
  /** Called after each settled request with the count so far. */
  readonly onSettled?: (settled: number) => void;
}

/** How the requests ended. */
export interface SoakCounts {
  /** 200 with a whole answer (JSON, or a stream ending in `[DONE]`). */
  ok: number;
  /** An error status with the JSON error envelope, or an in-band SSE error. */
  refused: number;
  /** Aborted by the client on purpose. */
  aborted: number;
  /**
   * A 200 whose body ended early without a client abort: the upstream
   * died mid-answer (a crash cuts the requests it was serving).
   */
  cut: number;
  /** Ended without a clean answer and without a client abort. */
  lost: number;
  /** Not settled within the deadline. */
  hung: number;
  /** Status codes of refusals, with counts. */
  statuses: Record<string, number>;
  /** The first error message seen for each refusal status. */
  refusalExamples: Record<string, string>;
  /** A few examples of lost requests, for the report. */
  lostExamples: string[];
}

const MAX_ABORT_DELAY_MS = 40;

/** Sends `requests` requests from `concurrency` workers; never rejects. */
export async function runSoakLoad(
  options: SoakLoadOptions,
): Promise<SoakCounts> {
  const prng = new Prng(options.seed);
  const counts: SoakCounts = {
    ok: 0,
    refused: 0,
    aborted: 0,
    cut: 0,
    lost: 0,
    hung: 0,
    statuses: {},
    refusalExamples: {},
    lostExamples: [],
  };
  let issued = 0;
  let settled = 0;

  const worker = async () => {
    while (issued < options.requests) {
      issued++;
      const plan = {
        model: prng.pick(options.models),
        stream: prng.chance(0.5),
        abortAfterMs: prng.chance(options.abortShare)
          ? prng.int(MAX_ABORT_DELAY_MS)
          : null,
      };
      const outcome = await oneRequest(options, plan);
      record(counts, outcome);
      options.onSettled?.(++settled);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  return counts;
}

type Outcome =
  | { kind: "ok" | "aborted" | "hung" | "cut" }
  | { kind: "refused"; status: number; message: string }
  | { kind: "lost"; detail: string };

async function oneRequest(
  options: SoakLoadOptions,
  plan: { model: string; stream: boolean; abortAfterMs: number | null },
): Promise<Outcome> {
  const controller = new AbortController();
  let reason: "client" | "deadline" | null = null;
  const abortTimer = plan.abortAfterMs === null ? undefined : setTimeout(() => {
    reason = "client";
    controller.abort();
  }, plan.abortAfterMs);
  const deadline = setTimeout(() => {
    reason ??= "deadline";
    controller.abort();
  }, options.deadlineMs);

  let status = 0;
  try {
    const response = await fetch(`${options.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({
        model: plan.model,
        stream: plan.stream,
        messages: [{ role: "user", content: "Tell me something" }],
      }),
      signal: controller.signal,
    });
    status = response.status;
    const text = await response.text();
    return classify(response.status, text, plan.stream);
  } catch (error) {
    if (reason === "client") return { kind: "aborted" };
    if (reason === "deadline") return { kind: "hung" };
    if (status === 200) return { kind: "cut" };
    return {
      kind: "lost",
      detail: errorText(error),
    };
  } finally {
    clearTimeout(abortTimer);
    clearTimeout(deadline);
  }
}

function classify(status: number, text: string, stream: boolean): Outcome {
  if (status === 200) {
    if (stream && text.includes('"error"') && text.includes("[DONE]")) {
      return { kind: "refused", status, message: text.slice(0, 200) };
    }
    const whole = stream
      ? text.trimEnd().endsWith("data: [DONE]")
      : isJson(text);
    return whole ? { kind: "ok" } : { kind: "cut" };
  }
  const message = errorMessage(text);
  return message !== null ? { kind: "refused", status, message } : {
    kind: "lost",
    detail: `${status} without an error body: ${text.slice(0, 80)}`,
  };
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false; // not whole JSON: the caller reports it
  }
}

/** The error envelope's message, or null when `text` is not one. */
function errorMessage(text: string): string | null {
  try {
    const body = JSON.parse(text) as { error?: { message?: unknown } };
    const message = body.error?.message;
    return typeof message === "string" ? message : null;
  } catch {
    return null; // not JSON: the caller reports it
  }
}

function record(counts: SoakCounts, outcome: Outcome): void {
  switch (outcome.kind) {
    case "ok":
    case "aborted":
    case "hung":
    case "cut":
      counts[outcome.kind]++;
      return;
    case "refused": {
      counts.refused++;
      const key = String(outcome.status);
      counts.statuses[key] = (counts.statuses[key] ?? 0) + 1;
      counts.refusalExamples[key] ??= outcome.message;
      return;
    }
    case "lost":
      counts.lost++;
      if (counts.lostExamples.length < 5) {
        counts.lostExamples.push(outcome.detail);
      }
      return;
    default:
      outcome satisfies never;
  }
}
