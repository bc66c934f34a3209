import { StreamUsageTracker } from "./stream_usage_tracker.ts";
import { type TokenMetrics, unknownTokenMetrics } from "./token_metrics.ts";
import { combineUsage, isJsonObject, readUsage } from "./usage_fields.ts";

const decoder = new TextDecoder();

/**
 * Token metrics of one complete upstream response body.
 *
 * `text/event-stream` bodies are read as SSE (see `StreamUsageTracker`).
 * Anything else is tried as JSON: `usage` gives the counts, llama-server's
 * `timings` overrides them and adds rates and duration, vLLM's `metrics`
 * derives rates. An `/infill` answer is an array and is read from its last
 * element. Bodies that are not JSON (audio, images, HTML errors) and JSON
 * without any of those objects give all-null metrics, never zeros.
 *
 * The body must already be decoded: the proxy's `fetch` removes gzip and
 * deflate before this sees it. Pure; never throws.
 */
export function parseUsage(
  body: Uint8Array | string,
  contentType: string,
  path: string,
): TokenMetrics {
  if (/text\/event-stream/i.test(contentType)) {
    const tracker = new StreamUsageTracker();
    tracker.push(body);
    return tracker.finish();
  }

  const parsed = parseJson(body);
  const response = Array.isArray(parsed) && isInfillPath(path)
    ? parsed.at(-1)
    : parsed;
  if (!isJsonObject(response)) return unknownTokenMetrics();

  return combineUsage({
    usage: isJsonObject(response.usage) ? readUsage(response.usage) : null,
    timings: isJsonObject(response.timings) ? response.timings : null,
    vllm: isJsonObject(response.metrics) ? response.metrics : null,
  });
}

function isInfillPath(path: string): boolean {
  return path === "/infill" || path.endsWith("/infill");
}

/** The parsed body, or undefined when it is not a JSON object or array. */
function parseJson(body: Uint8Array | string): unknown {
  if (!startsLikeJson(body)) return undefined;
  const text = typeof body === "string" ? body : decoder.decode(body);
  try {
    return JSON.parse(text);
  } catch {
    return undefined; // a body that only looked like JSON carries no usage
  }
}

/** Cheap check so large binary bodies are never decoded as text. */
function startsLikeJson(body: Uint8Array | string): boolean {
  for (let i = 0; i < body.length; i++) {
    const code = typeof body === "string" ? body.charCodeAt(i) : body[i]!;
    if (code === 0x20 || code === 0x0a || code === 0x0d || code === 0x09) {
      continue;
    }
    return code === 0x7b || code === 0x5b; // "{" or "["
  }
  return false;
}
