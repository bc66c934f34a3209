/** Body sizes of responses built by `wholeBodyResponse()`. */
const sizes = new WeakMap<Response, number>();

/**
 * A response whose whole body is already in memory. Deno sends such a
 * body in one write, without pulling a stream chunk by chunk, and
 * `wholeBodySize()` knows its size without reading it.
 */
export function wholeBodyResponse(
  bytes: Uint8Array<ArrayBuffer>,
  init: ResponseInit,
): Response {
  const response = new Response(bytes, init);
  sizes.set(response, bytes.byteLength);
  return response;
}

/**
 * The body size of a response built by `wholeBodyResponse()`; null for
 * any other response (its body may be a stream of unknown length).
 */
export function wholeBodySize(response: Response): number | null {
  return sizes.get(response) ?? null;
}
