import {
  type TokenMetrics,
  type TokensJson,
  tokensToJson,
} from "./token_metrics.ts";

/** What the proxy knows when a metered request finishes. */
export interface NewActivity {
  /** Clock time the request started (ms); defaults to the store's clock. */
  readonly timestamp?: number;
  /** Resolved real model ID, or the peer model name as requested. */
  readonly model: string;
  /** Path as sent upstream (`/upstream/m/x` is recorded as `/x`). */
  readonly reqPath: string;
  readonly respContentType: string;
  readonly respStatusCode: number;
  readonly tokens: TokenMetrics;
  /**
   * Wall time from dispatch to completion, model load included. The entry
   * keeps the larger of this and `tokens.durationMs`.
   */
  readonly durationMs: number;
  /** Time to first token, when the response was streamed. */
  readonly ttftMs?: number | null;
  /** From `extractErrorMessage()`; "" for none. */
  readonly errorMsg?: string;
  /** Short string facts such as `selector` or `fifo_priority`. */
  readonly metadata?: Readonly<Record<string, string>>;
}

/**
 * One activity entry exactly as `/api/metrics/activity` returns it.
 * `error_msg` and `metadata` are left out when empty; unknown token counts
 * and rates are `-1`. `ttft_ms` is our addition (null when unknown).
 */
export interface ActivityEntry {
  id: number;
  /** RFC 3339 in UTC with milliseconds. */
  timestamp: string;
  model: string;
  req_path: string;
  resp_content_type: string;
  resp_status_code: number;
  tokens: TokensJson;
  duration_ms: number;
  ttft_ms: number | null;
  has_capture: boolean;
  error_msg?: string;
  metadata?: Record<string, string>;
}

/** A row of the `activity` table; nullable token columns mean unknown. */
export interface ActivityRow {
  id: number;
  timestamp_ms: number;
  model: string;
  req_path: string;
  resp_content_type: string;
  resp_status_code: number;
  cache_tokens: number | null;
  input_tokens: number | null;
  output_tokens: number | null;
  prompt_per_second: number | null;
  tokens_per_second: number | null;
  draft_tokens: number | null;
  draft_acc_tokens: number | null;
  duration_ms: number;
  ttft_ms: number | null;
  error_msg: string;
  metadata: string | null;
}

/** Every column but `id`, in the order inserts name them. */
export const ROW_COLUMNS = [
  "timestamp_ms",
  "model",
  "req_path",
  "resp_content_type",
  "resp_status_code",
  "cache_tokens",
  "input_tokens",
  "output_tokens",
  "prompt_per_second",
  "tokens_per_second",
  "draft_tokens",
  "draft_acc_tokens",
  "duration_ms",
  "ttft_ms",
  "error_msg",
  "metadata",
] as const satisfies readonly (keyof ActivityRow)[];

/**
 * The row to store for a finished request; `now` stands in for a missing
 * `timestamp`. Times are rounded to whole ms, and the duration is the
 * longer of the proxy's and the upstream's own.
 */
export function activityToRow(
  activity: NewActivity,
  now: number,
): Omit<ActivityRow, "id"> {
  const tokens = activity.tokens;
  return {
    timestamp_ms: Math.round(activity.timestamp ?? now),
    model: activity.model,
    req_path: activity.reqPath,
    resp_content_type: activity.respContentType,
    resp_status_code: activity.respStatusCode,
    cache_tokens: tokens.cachedTokens,
    input_tokens: tokens.inputTokens,
    output_tokens: tokens.outputTokens,
    prompt_per_second: tokens.promptPerSecond,
    tokens_per_second: tokens.tokensPerSecond,
    draft_tokens: tokens.draftTokens,
    draft_acc_tokens: tokens.draftAccepted,
    duration_ms: Math.round(
      Math.max(activity.durationMs, tokens.durationMs ?? 0),
    ),
    ttft_ms: typeof activity.ttftMs === "number"
      ? Math.round(activity.ttftMs)
      : null,
    error_msg: activity.errorMsg ?? "",
    metadata: activity.metadata && Object.keys(activity.metadata).length > 0
      ? JSON.stringify(activity.metadata)
      : null,
  };
}

/** Turns a stored row into the API's shape. */
export function rowToEntry(
  row: ActivityRow,
  hasCapture: boolean,
): ActivityEntry {
  const tokens: TokenMetrics = {
    inputTokens: row.input_tokens,
    outputTokens: row.output_tokens,
    cachedTokens: row.cache_tokens,
    promptPerSecond: row.prompt_per_second,
    tokensPerSecond: row.tokens_per_second,
    draftTokens: row.draft_tokens,
    draftAccepted: row.draft_acc_tokens,
    durationMs: null,
  };
  const entry: ActivityEntry = {
    id: row.id,
    timestamp: new Date(row.timestamp_ms).toISOString(),
    model: row.model,
    req_path: row.req_path,
    resp_content_type: row.resp_content_type,
    resp_status_code: row.resp_status_code,
    tokens: tokensToJson(tokens),
    duration_ms: row.duration_ms,
    ttft_ms: row.ttft_ms,
    has_capture: hasCapture,
  };
  if (row.error_msg !== "") entry.error_msg = row.error_msg;
  const metadata = parseMetadata(row.metadata);
  if (metadata) entry.metadata = metadata;
  return entry;
}

function parseMetadata(text: string | null): Record<string, string> | null {
  if (text === null) return null;
  const parsed: Record<string, string> = JSON.parse(text);
  return Object.keys(parsed).length > 0 ? parsed : null;
}
