/**
 * Token counts and rates parsed from one upstream response.
 *
 * `null` means the upstream did not say, never "zero": a response without
 * usage data has every field `null`. Only the JSON the API sends turns
 * `null` into `-1` (see `tokensToJson()`).
 */
export interface TokenMetrics {
  /** Prompt tokens. */
  inputTokens: number | null;
  /** Generated tokens. */
  outputTokens: number | null;
  /** Prompt tokens served from the upstream's cache. */
  cachedTokens: number | null;
  /** Prompt processing rate in tokens per second. */
  promptPerSecond: number | null;
  /** Generation rate in tokens per second. */
  tokensPerSecond: number | null;
  /** Tokens drafted by speculative decoding. */
  draftTokens: number | null;
  /** Drafted tokens the main model accepted. */
  draftAccepted: number | null;
  /** llama-server's `prompt_ms + predicted_ms`. */
  durationMs: number | null;
}

/** The `tokens` object of an activity entry, as llama-swap names it. */
export interface TokensJson {
  cache_tokens: number;
  input_tokens: number;
  output_tokens: number;
  prompt_per_second: number;
  tokens_per_second: number;
  draft_tokens: number;
  draft_acc_tokens: number;
}

/** A `TokenMetrics` with nothing known. */
export function unknownTokenMetrics(): TokenMetrics {
  return {
    inputTokens: null,
    outputTokens: null,
    cachedTokens: null,
    promptPerSecond: null,
    tokensPerSecond: null,
    draftTokens: null,
    draftAccepted: null,
    durationMs: null,
  };
}

/** True when at least one count or rate is known. */
export function hasTokenData(metrics: TokenMetrics): boolean {
  return Object.values(metrics).some((value) => value !== null);
}

/**
 * The wire form of `metrics`: every unknown (`null`) count or rate becomes
 * `-1`, the value llama-swap uses for "unknown", so existing dashboards and
 * the UI read it unchanged. `durationMs` is not part of this object.
 */
export function tokensToJson(metrics: TokenMetrics): TokensJson {
  return {
    cache_tokens: metrics.cachedTokens ?? -1,
    input_tokens: metrics.inputTokens ?? -1,
    output_tokens: metrics.outputTokens ?? -1,
    prompt_per_second: metrics.promptPerSecond ?? -1,
    tokens_per_second: metrics.tokensPerSecond ?? -1,
    draft_tokens: metrics.draftTokens ?? -1,
    draft_acc_tokens: metrics.draftAccepted ?? -1,
  };
}
