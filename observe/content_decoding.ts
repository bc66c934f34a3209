import { errorText } from "../lib/mod.ts";
import { gunzipSync, inflateRawSync, inflateSync } from "node:zlib";

/** A body as the recorder reads it, or why it could not be decoded. */
export type DecodedBody =
  | { readonly ok: true; readonly bytes: Uint8Array | null }
  | { readonly ok: false; readonly error: string };

/**
 * `body` with the upstream's `Content-Encoding` removed, for the usage
 * parser and the capture: `gzip` (or `x-gzip`) and `deflate` (zlib, or raw
 * deflate as some servers send it) are decoded, at most `limit` bytes of
 * output; no coding, `identity` or any other coding leaves the body as it
 * is, as llama-swap does. Only the proxy's records use this: the client
 * gets the upstream's bytes unchanged.
 */
export function decodeBody(
  body: Uint8Array | null,
  contentEncoding: string | null,
  limit: number,
): DecodedBody {
  const coding = contentEncoding?.split(",").at(-1)?.trim().toLowerCase();
  if (!body || body.length === 0 || !coding) return { ok: true, bytes: body };
  const options = { maxOutputLength: Math.max(1, limit) };
  try {
    if (coding === "gzip" || coding === "x-gzip") {
      return { ok: true, bytes: plain(gunzipSync(body, options)) };
    }
    if (coding === "deflate") {
      try {
        return { ok: true, bytes: plain(inflateSync(body, options)) };
      } catch {
        return { ok: true, bytes: plain(inflateRawSync(body, options)) };
      }
    }
  } catch (error) {
    const detail = errorText(error);
    return { ok: false, error: `cannot decode the ${coding} body: ${detail}` };
  }
  return { ok: true, bytes: body };
}

/** A plain array of its own: a `Buffer` may be a view into a shared pool. */
function plain(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(bytes);
}
