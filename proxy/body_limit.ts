import { joinBytes, ownArray } from "../lib/mod.ts";
import { HttpError } from "./errors.ts";

/** Declared bodies up to this size (64 KiB) are read in one go. */
export const WHOLE_READ_BYTES = 64 * 1024;

/**
 * Reads a request body into memory, refusing it with 413 as soon as it grows
 * past `limit` bytes, so an oversized upload is never buffered whole.
 *
 * A declared `Content-Length` over the limit is refused before reading;
 * up to `WHOLE_READ_BYTES`, the body is read in one go (the HTTP server
 * already holds the client to that length), which costs far less than
 * reading it chunk by chunk. A larger one is read as it arrives: reading
 * it in one go would set aside the declared size before a byte came, so
 * clients that declare much and send little would fill memory. A body
 * that cannot be read (the client broke off, bad chunking) is a 400.
 * Returns null when the request has no body.
 */
export async function readBodyWithin(
  request: Request,
  limit: number,
): Promise<Uint8Array<ArrayBuffer> | null> {
  const length = request.headers.get("content-length");
  const declared = length === null ? NaN : Number(length);
  if (declared > limit) throw tooLarge(limit);
  // A small declared body is read without touching `request.body`, whose
  // stream object alone costs Deno.serve's request a few microseconds
  // that `arrayBuffer()` does not need.
  if (
    Number.isInteger(declared) && declared > 0 && declared <= WHOLE_READ_BYTES
  ) {
    return await readDeclared(request, limit);
  }
  if (!request.body) return null;
  if (declared === 0) return await readDeclared(request, limit);

  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    let result: ReadableStreamReadResult<Uint8Array>;
    try {
      result = await reader.read();
    } catch (error) {
      throw new HttpError(400, "could not read request body", {
        cause: error,
      });
    }
    if (result.done) break;

    size += result.value.byteLength;
    if (size > limit) {
      // A failed cancel means the client is gone; 413 is the answer anyway.
      await reader.cancel().catch(() => undefined);
      throw tooLarge(limit);
    }
    // A small piece may come as a view into a fresh 64 KiB buffer: keep
    // only its bytes, or a body sent a byte at a time would hold 64 KiB a
    // byte.
    chunks.push(ownArray(result.value));
  }
  return joinBytes(chunks, size);
}

/** The whole body at once; still refused if it is longer than declared. */
async function readDeclared(
  request: Request,
  limit: number,
): Promise<Uint8Array<ArrayBuffer>> {
  let buffer: ArrayBuffer;
  try {
    buffer = await request.arrayBuffer();
  } catch (error) {
    throw new HttpError(400, "could not read request body", { cause: error });
  }
  if (buffer.byteLength > limit) throw tooLarge(limit);
  return new Uint8Array(buffer);
}

function tooLarge(limit: number): HttpError {
  return new HttpError(
    413,
    `request body too large: the limit is ${limit} bytes`,
  );
}
