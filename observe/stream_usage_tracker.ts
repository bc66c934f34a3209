import { joinBytes } from "../lib/mod.ts";
import type { TokenMetrics } from "./token_metrics.ts";
import {
  combineUsage,
  isJsonObject,
  type JsonObject,
  readUsage,
  type UsageCounts,
} from "./usage_fields.ts";

/**
 * Longest SSE line the tracker keeps while waiting for its end (8 MiB). A
 * longer line is skipped as a whole; a Responses API `response.completed`
 * event carries the full output text, so the bound is generous.
 */
export const MAX_SSE_LINE_BYTES = 8 * 1024 * 1024;

/** Keys that make a `data:` line worth parsing as JSON. */
const INTERESTING_KEYS = ['"usage"', '"timings"', '"metrics"'];

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** `INTERESTING_KEYS` as bytes, for looking before decoding. */
const INTERESTING_BYTES = INTERESTING_KEYS.map((key) => encoder.encode(key));

const DATA_PREFIX = encoder.encode("data:");

export interface StreamUsageTrackerOptions {
  /** Clock time the request started, for `ttftMs`; omit to leave it null. */
  startedAt?: number;
}

/**
 * Follows an SSE response as it passes through and keeps only what the
 * token metrics need, so the proxy never holds a whole stream in memory.
 *
 * Every `data:` line is trimmed; `[DONE]` and payloads that are not JSON are
 * skipped. Usage is looked for at `usage`, `response.usage` (Responses API)
 * and `message.usage` (Anthropic `message_start`). A count replaces the
 * running one when it is above zero, or when nothing was known yet (so a
 * reported zero stays zero but Anthropic's later `input_tokens: 0` does not
 * undo its earlier count); cached replaces when it is zero or more. The
 * last `timings` and the last vLLM `metrics` object win.
 *
 * Not thread-shared: one tracker per response, fed in order.
 */
export class StreamUsageTracker {
  /** The start of a line whose end has not arrived yet. */
  #pending: Uint8Array[] = [];
  #pendingBytes = 0;
  #skippingLongLine = false;
  #usage: UsageCounts | null = null;
  #timings: JsonObject | null = null;
  #vllm: JsonObject | null = null;
  #startedAt: number | null;
  #firstContentAt: number | null = null;
  #result: TokenMetrics | null = null;

  constructor(options: StreamUsageTrackerOptions = {}) {
    this.#startedAt = options.startedAt ?? null;
  }

  /**
   * Feeds the next bytes of the stream. Events may be split anywhere, even
   * inside a UTF-8 sequence. Chunks after `finish()` are ignored.
   */
  push(chunk: Uint8Array | string): void {
    if (this.#result) return;
    const bytes = typeof chunk === "string" ? encoder.encode(chunk) : chunk;
    let start = 0;
    for (;;) {
      const end = bytes.indexOf(10, start);
      if (end < 0) {
        this.#keepPartial(bytes.subarray(start));
        return;
      }
      if (!this.#skippingLongLine) {
        this.#lineBytes(this.#withPending(bytes.subarray(start, end)));
      }
      this.#pending = [];
      this.#pendingBytes = 0;
      this.#skippingLongLine = false;
      start = end + 1;
    }
  }

  /**
   * Records when the first content chunk reached the client. Only the
   * first call counts, so the proxy may call it for every chunk.
   */
  markFirstContent(at: number): void {
    this.#firstContentAt ??= at;
  }

  /** Time to first token in ms, or null when not told or not started. */
  get ttftMs(): number | null {
    if (this.#startedAt === null || this.#firstContentAt === null) return null;
    return Math.max(0, this.#firstContentAt - this.#startedAt);
  }

  /**
   * Reads the last unterminated line and returns the metrics. Every field
   * is null when the stream carried no usage, timings or metrics. Later
   * calls return the same result.
   */
  finish(): TokenMetrics {
    if (this.#result) return this.#result;
    if (!this.#skippingLongLine && this.#pendingBytes > 0) {
      this.#lineBytes(this.#withPending(new Uint8Array(0)));
    }
    this.#pending = [];
    this.#pendingBytes = 0;
    this.#result = combineUsage({
      usage: this.#usage,
      timings: this.#timings,
      vllm: this.#vllm,
    });
    return this.#result;
  }

  #keepPartial(part: Uint8Array): void {
    if (this.#skippingLongLine || part.byteLength === 0) return;
    if (this.#pendingBytes + part.byteLength > MAX_SSE_LINE_BYTES) {
      this.#pending = [];
      this.#pendingBytes = 0;
      this.#skippingLongLine = true;
      return;
    }
    this.#pending.push(part.slice());
    this.#pendingBytes += part.byteLength;
  }

  /** The waiting start of the line joined with its `rest`. */
  #withPending(rest: Uint8Array): Uint8Array {
    if (this.#pendingBytes === 0) return rest;
    return joinBytes(
      [...this.#pending, rest],
      this.#pendingBytes + rest.byteLength,
    );
  }

  /**
   * One complete line as bytes: decoded only when it is a `data:` line
   * holding one of the keys, which most content chunks do not. A line
   * break never falls inside a UTF-8 sequence, so a whole line decodes
   * alone.
   */
  #lineBytes(line: Uint8Array): void {
    if (!startsAt(line, DATA_PREFIX, 0)) return;
    if (!holdsInterestingKey(line)) return;
    this.#line(decoder.decode(line));
  }

  #line(line: string): void {
    if (!line.startsWith("data:")) return;
    const payload = line.slice(5).trim();
    if (payload === "" || payload === "[DONE]") return;
    if (!INTERESTING_KEYS.some((key) => payload.includes(key))) return;

    let event: unknown;
    try {
      event = JSON.parse(payload);
    } catch {
      return; // not JSON: a comment-like payload the metrics ignore
    }
    if (!isJsonObject(event)) return;

    for (const usage of usageObjects(event)) this.#mergeUsage(readUsage(usage));
    if (isJsonObject(event.timings)) this.#timings = event.timings;
    if (isJsonObject(event.metrics)) this.#vllm = event.metrics;
  }

  #mergeUsage(found: UsageCounts): void {
    const running = this.#usage ??= { input: null, output: null, cached: null };
    if (replaces(found.input, running.input)) running.input = found.input;
    if (replaces(found.output, running.output)) running.output = found.output;
    if (found.cached !== null && found.cached >= 0) {
      running.cached = found.cached;
    }
  }
}

/** 1 at each byte that follows the opening quote of `INTERESTING_KEYS`. */
const INTERESTING_FIRST = new Uint8Array(256);
for (const key of INTERESTING_BYTES) INTERESTING_FIRST[key[1]!] = 1;

/**
 * True when one of `INTERESTING_BYTES` occurs in `line`: one pass that
 * stops at each `"` followed by a key's first letter to compare, in plain
 * loops (a call to `indexOf()` per quote cost more than the rest of the
 * tracker together, and most quotes open a value or another key).
 */
function holdsInterestingKey(line: Uint8Array): boolean {
  const last = line.length - 1;
  for (let i = 0; i < last; i++) {
    if (line[i] !== 34 || INTERESTING_FIRST[line[i + 1]!] === 0) continue;
    for (const key of INTERESTING_BYTES) {
      if (startsAt(line, key, i)) return true;
    }
  }
  return false;
}

/** True when `bytes` holds `key` from index `at` on. */
function startsAt(bytes: Uint8Array, key: Uint8Array, at: number): boolean {
  if (at + key.length > bytes.length) return false;
  for (let j = 0; j < key.length; j++) {
    if (bytes[at + j] !== key[j]) return false;
  }
  return true;
}

function replaces(found: number | null, running: number | null): boolean {
  if (found === null) return false;
  return found > 0 || (running === null && found >= 0);
}

function usageObjects(event: JsonObject): JsonObject[] {
  const found: JsonObject[] = [];
  if (isJsonObject(event.usage)) found.push(event.usage);
  for (const key of ["response", "message"]) {
    const holder = event[key];
    if (isJsonObject(holder) && isJsonObject(holder.usage)) {
      found.push(holder.usage);
    }
  }
  return found;
}
