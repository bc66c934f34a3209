/**
 * `chunks` joined into one new array; `size` is their total length when
 * the caller counted it already.
 */
export function joinBytes(
  chunks: readonly Uint8Array[],
  size?: number,
): Uint8Array<ArrayBuffer> {
  let total = size ?? 0;
  if (size === undefined) { for (const chunk of chunks) total += chunk.length; }
  const out = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}
