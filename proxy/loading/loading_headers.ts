/**
 * Response headers for a loading stream, fresh on each call so the caller
 * may add its own.
 *
 * `X-Accel-Buffering: no` asks nginx-style reverse proxies in front of us to
 * pass each event on at once instead of buffering the response.
 */
export function loadingHeaders(): Record<string, string> {
  return {
    "Content-Type": "text/event-stream",
    "Cache-Control": "no-cache",
    "Connection": "keep-alive",
    "X-Accel-Buffering": "no",
  };
}
