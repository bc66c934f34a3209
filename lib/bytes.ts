/**
 * `chunks` joined into one new array; `size` is their total length when
 * the caller counted it already.
 */
export function joinBytes(
  chunks: readonly Uint8Array[],
  size?: number,
): Uint8Array<ArrayBuffer> {
  const total = size ??
    chunks.reduce((sum, chunk) => sum + chunk.length, 0);
  const out = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}

/**
 * `bytes` when it spans its whole buffer (callers hand over arrays they
 * never change again), else a copy of just those bytes: a view would keep
 * its whole buffer alive.
 */
export function ownArray<T extends Uint8Array>(bytes: T): T {
  return bytes.byteLength === bytes.buffer.byteLength
    ? bytes
    : bytes.slice() as T;
}
