/**
 * Token counts and rates parsed from one upstream response.
 *
 * `null` means the upstream did not say, never "zero": a response without
 * usage data has every field `null`. Only the JSON the API sends turns
 * `null` into `0` or `-1` (see `tokensToJson()`).
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
 * The wire form of `metrics`, as llama-swap's UI and dashboards read it:
 * a response that reported nothing at all shows zeros everywhere (an audio
 * reply, an error, a stream without usage). Once anything was reported,
 * an unknown input or output count shows as 0 and an unknown cached count,
 * rate or draft count as `-1`. `durationMs` is not part of this object.
 */
export function tokensToJson(metrics: TokenMetrics): TokensJson {
  if (!hasTokenData(metrics)) {
    return {
      cache_tokens: 0,
      input_tokens: 0,
      output_tokens: 0,
      prompt_per_second: 0,
      tokens_per_second: 0,
      draft_tokens: 0,
      draft_acc_tokens: 0,
    };
  }
  return {
    cache_tokens: metrics.cachedTokens ?? -1,
    input_tokens: metrics.inputTokens ?? 0,
    output_tokens: metrics.outputTokens ?? 0,
    prompt_per_second: metrics.promptPerSecond ?? -1,
    tokens_per_second: metrics.tokensPerSecond ?? -1,
    draft_tokens: metrics.draftTokens ?? -1,
    draft_acc_tokens: metrics.draftAccepted ?? -1,
  };
}
