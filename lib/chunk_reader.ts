/** Reads a stream chunk by chunk; see `chunkReader()`. */
export interface ChunkReader {
  /** The next chunk, or null at the end. */
  read(): Promise<Uint8Array | null>;
  cancel(reason?: unknown): Promise<void>;
}

/**
 * Bytes a byte stream is read into at a time (16 KiB). One buffer per
 * stream is reused for every read.
 */
export const READ_BUFFER_BYTES = 16 * 1024;

/**
 * A reader for `source` whose chunks are exact-size arrays nobody else
 * holds.
 *
 * With `byteStream` (a fetch body, a child's pipe: Deno's resource
 * streams) it reads into one reused buffer and copies out what each read
 * got. A default reader would allocate 64 KiB per read and hand out a
 * view of it, so a 20-byte log line kept in a history would keep 64 KiB
 * alive, and a stream of small chunks would churn through memory. A
 * source that turns out not to be a byte stream is read as any other;
 * finding that out costs a thrown error, so only ask where it is almost
 * always true. Without `byteStream`, chunks are the source's own.
 */
export function chunkReader(
  source: ReadableStream<Uint8Array>,
  options: { readonly byteStream?: boolean } = {},
): ChunkReader {
  if (options.byteStream) {
    try {
      return byobReader(source.getReader({ mode: "byob" }));
    } catch (error) {
      if (!(error instanceof TypeError)) throw error;
    }
  }
  const reader = source.getReader();
  return {
    read: async () => {
      const result = await reader.read();
      return result.done ? null : result.value;
    },
    cancel: (reason) => reader.cancel(reason),
  };
}

function byobReader(reader: ReadableStreamBYOBReader): ChunkReader {
  let buffer = new Uint8Array(READ_BUFFER_BYTES);
  return {
    read: async () => {
      const result = await reader.read(buffer);
      if (result.done) return null;
      const view = result.value;
      const copy = view.slice();
      buffer = new Uint8Array(view.buffer, 0, READ_BUFFER_BYTES);
      return copy;
    },
    cancel: (reason) => reader.cancel(reason),
  };
}
