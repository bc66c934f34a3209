/** How a passed-through stream ended. */
export interface PassThroughEnd {
  /** Bytes handed to the reader. */
  readonly bytes: number;
  /** The read failure, or the reader's cancel reason; absent when done. */
  readonly error?: unknown;
  readonly cancelled: boolean;
}

/** Called as bytes pass and once when the stream is over. */
export interface PassThroughHooks {
  /** Each chunk, before the client reads it; the same bytes, not a copy. */
  chunk?(bytes: Uint8Array): void;
  /**
   * Exactly once: `error` is undefined when the source ended normally, the
   * failure when reading failed, and the reason when the reader cancelled.
   */
  end(outcome: PassThroughEnd): void;
}

/**
 * Bytes a byte-stream source is read into at a time (16 KiB). One buffer
 * per stream is reused for every read, so a thousand open streams hold
 * 16 MiB instead of allocating 64 KiB per chunk as a default reader does.
 */
export const READ_BUFFER_BYTES = 16 * 1024;

/** The end listeners of streams made by `passThrough()`, until they end. */
const ends = new WeakMap<ReadableStream<Uint8Array>, EndState>();

interface EndState {
  listeners: ((outcome: PassThroughEnd) => void)[];
  outcome: PassThroughEnd | null;
}

/**
 * Wraps `source` so the caller hears about every chunk and, exactly once,
 * about its end, however it ends: finished, failed, or cancelled by the
 * reader (the client went away). A cancel is passed on to `source`, which
 * for a fetch body closes the upstream connection.
 *
 * Reads only when the client asks (high-water mark 0), so a slow client
 * slows the upstream instead of filling memory. With `byteStream` (the
 * source is a fetch body) it reads into one reused buffer and hands each
 * chunk on as an exact-size copy, which costs Deno far less than a
 * default reader's fresh 64 KiB allocation per chunk; a source that turns
 * out not to be a byte stream is read as any other. Otherwise chunks pass
 * as they are. (Only ask for `byteStream` where it is almost always true:
 * finding out that a stream is not one costs a thrown error.)
 */
export function passThrough(
  source: ReadableStream<Uint8Array>,
  hooks: PassThroughHooks,
  options: { readonly byteStream?: boolean } = {},
): ReadableStream<Uint8Array> {
  const reader = options.byteStream
    ? openByteReader(source)
    : defaultReader(source);
  const state: EndState = { listeners: [], outcome: null };
  let bytes = 0;
  const end = (error: unknown, cancelled: boolean) => {
    if (state.outcome) return;
    const outcome = error === undefined
      ? { bytes, cancelled }
      : { bytes, error, cancelled };
    state.outcome = outcome;
    hooks.end(outcome);
    for (const listener of state.listeners) listener(outcome);
    state.listeners = [];
  };

  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      let chunk: Uint8Array | null;
      try {
        chunk = await reader.read();
      } catch (error) {
        end(error, false);
        controller.error(error);
        return;
      }
      if (chunk === null) {
        end(undefined, false);
        controller.close();
        return;
      }
      bytes += chunk.byteLength;
      hooks.chunk?.(chunk);
      controller.enqueue(chunk);
    },
    async cancel(reason) {
      end(reason, true);
      await reader.cancel(reason);
    },
  }, { highWaterMark: 0 });
  ends.set(stream, state);
  return stream;
}

/**
 * Adds `listener` to hear how `stream` ends, when `passThrough()` made it
 * (at once when it has ended already); false for any other stream. Lets a
 * second observer of the same body (the access log) share the one
 * wrapper instead of adding a stream layer of its own.
 */
export function onPassThroughEnd(
  stream: ReadableStream<Uint8Array>,
  listener: (outcome: PassThroughEnd) => void,
): boolean {
  const state = ends.get(stream);
  if (!state) return false;
  if (state.outcome) listener(state.outcome);
  else state.listeners.push(listener);
  return true;
}

interface ChunkReader {
  /** The next chunk, or null at the end. */
  read(): Promise<Uint8Array | null>;
  cancel(reason: unknown): Promise<void>;
}

function defaultReader(source: ReadableStream<Uint8Array>): ChunkReader {
  const reader = source.getReader();
  return {
    read: async () => {
      const result = await reader.read();
      return result.done ? null : result.value;
    },
    cancel: (reason) => reader.cancel(reason),
  };
}

/** A BYOB reader over one reused buffer when `source` allows it. */
function openByteReader(source: ReadableStream<Uint8Array>): ChunkReader {
  let byob: ReadableStreamBYOBReader;
  try {
    byob = source.getReader({ mode: "byob" });
  } catch (error) {
    if (error instanceof TypeError) return defaultReader(source);
    throw error;
  }

  let buffer = new Uint8Array(READ_BUFFER_BYTES);
  return {
    read: async () => {
      const result = await byob.read(buffer);
      if (result.done) return null;
      const view = result.value;
      const copy = view.slice();
      buffer = new Uint8Array(view.buffer, 0, READ_BUFFER_BYTES);
      return copy;
    },
    cancel: (reason) => byob.cancel(reason),
  };
}
