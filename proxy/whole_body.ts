/**
 * Where `wholeBodyResponse()` notes the body size on its response: a
 * property, not a WeakMap entry, which the garbage collector would have
 * to trace for every response.
 */
const BODY_SIZE = Symbol("wholeBodySize");

type SizedResponse = Response & { [BODY_SIZE]?: number };

/**
 * A response whose whole body is already in memory. Deno sends such a
 * body in one write, without pulling a stream chunk by chunk, and
 * `wholeBodySize()` knows its size without reading it.
 */
export function wholeBodyResponse(
  bytes: Uint8Array<ArrayBuffer>,
  init: ResponseInit,
): Response {
  const response: SizedResponse = new Response(bytes, init);
  response[BODY_SIZE] = bytes.byteLength;
  return response;
}

/**
 * The body size of a response built by `wholeBodyResponse()`; null for
 * any other response (its body may be a stream of unknown length).
 */
export function wholeBodySize(response: Response): number | null {
  return (response as SizedResponse)[BODY_SIZE] ?? null;
}
