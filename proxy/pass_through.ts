import { type ChunkReader, chunkReader, errorText } from "../lib/mod.ts";

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
 * Where a stream made by `passThrough()` keeps its end listeners: a
 * property on the stream, not a WeakMap entry the garbage collector would
 * trace for every response.
 */
const END_STATE = Symbol("passThroughEnd");

type WatchedStream = ReadableStream<Uint8Array> & { [END_STATE]?: EndState };

interface EndState {
  listeners: ((outcome: PassThroughEnd) => void)[];
  outcome: PassThroughEnd | null;
}

/**
 * Wraps `source` so the caller hears about every chunk and, exactly once,
 * about its end, however it ends: finished, failed, or cancelled by the
 * reader (the client went away). A cancel is passed on to `source`, which
 * for an upstream body closes the upstream connection. `source` is a
 * `ChunkReader` (an upstream body: `UpstreamResponse.reader()`) or any
 * other stream, whose chunks pass as they are.
 *
 * Reads only when the client asks (high-water mark 0), so a slow client
 * slows the upstream instead of filling memory.
 */
export function passThrough(
  source: ReadableStream<Uint8Array> | ChunkReader,
  hooks: PassThroughHooks,
): ReadableStream<Uint8Array> {
  const reader = source instanceof ReadableStream
    ? chunkReader(source)
    : source;
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
        controller.error(brokenOff(error));
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
  (stream as WatchedStream)[END_STATE] = state;
  return stream;
}

const BROKEN_OFF = "response to the client broken off: ";

/**
 * What a client's response body that breaks off is errored with. Deno's
 * server prints that value as it cuts the response, so it is one line
 * saying what happened, not an error with its stack; a stream wrapped
 * twice (the access log's count around a loading stream) says it once.
 */
export function brokenOff(error: unknown): string {
  const text = errorText(error);
  return text.startsWith(BROKEN_OFF) ? text : BROKEN_OFF + text;
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
  const state = (stream as WatchedStream)[END_STATE];
  if (!state) return false;
  if (state.outcome) listener(state.outcome);
  else state.listeners.push(listener);
  return true;
}
