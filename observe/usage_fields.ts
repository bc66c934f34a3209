/**
 * Reading usage, llama-server `timings` and vLLM `metrics` objects into
 * `TokenMetrics`. Shared by the whole-body parser and the stream tracker;
 * not exported from the folder.
 */
import { type TokenMetrics, unknownTokenMetrics } from "./token_metrics.ts";

export type JsonObject = Record<string, unknown>;

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A finite JSON number, or null for anything else. */
function numberOrNull(value: unknown): number | null {
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}

function nested(object: JsonObject, key: string, inner: string): unknown {
  const child = object[key];
  return isJsonObject(child) ? child[inner] : undefined;
}

/** Token counts read from one OpenAI, Anthropic or Responses usage object. */
export interface UsageCounts {
  input: number | null;
  output: number | null;
  cached: number | null;
}

/**
 * Input is `prompt_tokens`, else `input_tokens`; output is
 * `completion_tokens`, else `output_tokens`; cached is the first of
 * `cache_read_input_tokens`, `input_tokens_details.cached_tokens` and
 * `prompt_tokens_details.cached_tokens` that is a number.
 */
export function readUsage(usage: JsonObject): UsageCounts {
  return {
    input: numberOrNull(usage.prompt_tokens) ??
      numberOrNull(usage.input_tokens),
    output: numberOrNull(usage.completion_tokens) ??
      numberOrNull(usage.output_tokens),
    cached: numberOrNull(usage.cache_read_input_tokens) ??
      numberOrNull(nested(usage, "input_tokens_details", "cached_tokens")) ??
      numberOrNull(nested(usage, "prompt_tokens_details", "cached_tokens")),
  };
}

/** What a response said about tokens, before it becomes `TokenMetrics`. */
export interface UsageSources {
  usage: UsageCounts | null;
  /** llama-server's `timings` object. */
  timings: JsonObject | null;
  /** vLLM's `metrics` object. */
  vllm: JsonObject | null;
}

/**
 * Combines the sources in order: usage first, then `timings` overrides the
 * counts and rates it carries, then vLLM `metrics` derives rates. Draft
 * counts from `timings` win over vLLM's.
 */
export function combineUsage(sources: UsageSources): TokenMetrics {
  const metrics = unknownTokenMetrics();
  if (sources.usage) {
    metrics.inputTokens = sources.usage.input;
    metrics.outputTokens = sources.usage.output;
    metrics.cachedTokens = sources.usage.cached;
  }
  if (sources.timings) applyTimings(metrics, sources.timings);
  if (sources.vllm) applyVllmMetrics(metrics, sources.vllm);
  return metrics;
}

function applyTimings(metrics: TokenMetrics, timings: JsonObject): void {
  metrics.inputTokens = numberOrNull(timings.prompt_n) ?? metrics.inputTokens;
  metrics.outputTokens = numberOrNull(timings.predicted_n) ??
    metrics.outputTokens;
  metrics.cachedTokens = numberOrNull(timings.cache_n) ?? metrics.cachedTokens;
  metrics.promptPerSecond = numberOrNull(timings.prompt_per_second);
  metrics.tokensPerSecond = numberOrNull(timings.predicted_per_second);

  const promptMs = numberOrNull(timings.prompt_ms);
  const predictedMs = numberOrNull(timings.predicted_ms);
  if (promptMs !== null && predictedMs !== null) {
    metrics.durationMs = promptMs + predictedMs;
  }

  const drafted = numberOrNull(timings.draft_n);
  const accepted = numberOrNull(timings.draft_n_accepted);
  if (drafted !== null && accepted !== null) {
    metrics.draftTokens = drafted;
    metrics.draftAccepted = accepted;
  }
}

function applyVllmMetrics(metrics: TokenMetrics, vllm: JsonObject): void {
  const ttftMs = numberOrNull(vllm.time_to_first_token_ms);
  if (ttftMs !== null && ttftMs > 0 && metrics.inputTokens !== null) {
    const uncached = metrics.inputTokens -
      Math.max(metrics.cachedTokens ?? 0, 0);
    metrics.promptPerSecond = (uncached * 1000) / ttftMs;
  }

  const interTokenMs = numberOrNull(vllm.mean_itl_ms);
  if (interTokenMs !== null && interTokenMs > 0) {
    metrics.tokensPerSecond = 1000 / interTokenMs;
  }

  const speculative = vllm.speculative_decoding;
  if (!isJsonObject(speculative) || metrics.draftTokens !== null) return;
  const drafted = numberOrNull(speculative.num_draft_tokens);
  const accepted = numberOrNull(speculative.num_accepted_draft_tokens);
  if (drafted !== null && accepted !== null) {
    metrics.draftTokens = drafted;
    metrics.draftAccepted = accepted;
  }
}
