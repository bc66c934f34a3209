import { replyTokens } from "./tokens.ts";

/** Why generation ended: naturally, or at the request's token limit. */
export type FinishReason = "stop" | "length";

/** One simulated reply, decided before the first token is sent. */
export interface Reply {
  /** Unique within this simulator, e.g. `sim-7`. */
  readonly id: string;
  /** Unix seconds. */
  readonly created: number;
  readonly model: string;
  readonly promptTokens: number;
  readonly tokens: readonly string[];
  readonly finish: FinishReason;
}

/** llama-server's `timings` object, as the proxy's metrics parser reads it. */
export interface Timings {
  readonly prompt_n: number;
  readonly prompt_ms: number;
  readonly prompt_per_second: number;
  readonly predicted_n: number;
  readonly predicted_ms: number;
  readonly predicted_per_second: number;
  readonly cache_n: number;
}

/** How one endpoint renders a reply, whole or as SSE frames. */
export interface ReplyFormat {
  /** The JSON body of a reply that is not streamed. */
  whole(reply: Reply, timings: Timings): unknown;
  /** Frames sent before the first token; often "". */
  streamStart(reply: Reply): string;
  /** The frame carrying token `index`. */
  streamToken(reply: Reply, index: number): string;
  /** Frames sent after the last token. */
  streamEnd(reply: Reply, timings: Timings): string;
}

/** Simulated prompt processing speed, so prompt timings look plausible. */
const PROMPT_MS_PER_TOKEN = 0.2;

/**
 * Decides a reply: `defaultTokens` tokens seeded by the prompt, or `limit`
 * when the request asked for fewer (then the finish reason is `length`).
 */
export function planReply(
  seed: number,
  options: {
    id: string;
    created: number;
    model: string;
    promptTokens: number;
    limit: number | null;
    defaultTokens: number;
  },
): Reply {
  const { limit, defaultTokens } = options;
  const limited = limit !== null && limit < defaultTokens;
  return {
    id: options.id,
    created: options.created,
    model: options.model,
    promptTokens: options.promptTokens,
    tokens: replyTokens(seed, limited ? limit : defaultTokens),
    finish: limited ? "length" : "stop",
  };
}

/**
 * The smallest non-negative whole number among `keys` of `body` (OpenAI's
 * `max_tokens`, llama-server's `n_predict`, ...), or null when none is set.
 * Negative values mean "no limit", as `n_predict: -1` does in llama-server.
 */
export function requestedLimit(
  body: Record<string, unknown>,
  keys: readonly string[],
): number | null {
  let limit: number | null = null;
  for (const key of keys) {
    const value = body[key];
    if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
      continue;
    }
    const whole = Math.floor(value);
    limit = limit === null ? whole : Math.min(limit, whole);
  }
  return limit;
}

/**
 * Timings for a finished reply. Prompt time is simulated from the prompt
 * size; generation time is what it really took, at least 1 ms when any
 * token was produced so the rate stays finite.
 */
export function buildTimings(
  promptTokens: number,
  predictedTokens: number,
  elapsedMs: number,
): Timings {
  const promptMs = promptTokens * PROMPT_MS_PER_TOKEN;
  const predictedMs = predictedTokens > 0 ? Math.max(elapsedMs, 1) : 0;
  return {
    prompt_n: promptTokens,
    prompt_ms: round(promptMs),
    prompt_per_second: rate(promptTokens, promptMs),
    predicted_n: predictedTokens,
    predicted_ms: round(predictedMs),
    predicted_per_second: rate(predictedTokens, predictedMs),
    cache_n: 0,
  };
}

/** Extracts the text of an OpenAI or Anthropic message `content` value. */
export function contentText(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  const parts: string[] = [];
  for (const part of content) {
    if (typeof part === "string") parts.push(part);
    else if (isRecord(part) && typeof part.text === "string") {
      parts.push(part.text);
    }
  }
  return parts.join(" ");
}

/** True for a plain JSON object (not an array, not null). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function rate(tokens: number, ms: number): number {
  return ms > 0 ? round((tokens * 1000) / ms) : 0;
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
