/** Called as bytes pass and once when the stream is over. */
export interface PassThroughHooks {
  /** Each chunk, before the client reads it; the same bytes, not a copy. */
  chunk?(bytes: Uint8Array): void;
  /**
   * Exactly once: `error` is undefined when the source ended normally, the
   * failure when reading failed, and the reason when the reader cancelled.
   */
  end(outcome: { error?: unknown; cancelled: boolean }): void;
}

/**
 * Wraps `source` so the caller hears about every chunk and, exactly once,
 * about its end, however it ends: finished, failed, or cancelled by the
 * reader (the client went away). A cancel is passed on to `source`, which
 * for a fetch body closes the upstream connection.
 *
 * Reads only when the client asks (high-water mark 0), so a slow client
 * slows the upstream instead of filling memory. Chunks are not copied.
 */
export function passThrough(
  source: ReadableStream<Uint8Array>,
  hooks: PassThroughHooks,
): ReadableStream<Uint8Array> {
  const reader = source.getReader();
  let ended = false;
  const end = (outcome: { error?: unknown; cancelled: boolean }) => {
    if (ended) return;
    ended = true;
    hooks.end(outcome);
  };

  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      let result: ReadableStreamReadResult<Uint8Array>;
      try {
        result = await reader.read();
      } catch (error) {
        end({ error, cancelled: false });
        controller.error(error);
        return;
      }
      if (result.done) {
        end({ cancelled: false });
        controller.close();
        return;
      }
      hooks.chunk?.(result.value);
      controller.enqueue(result.value);
    },
    async cancel(reason) {
      end({ error: reason, cancelled: true });
      await reader.cancel(reason);
    },
  }, { highWaterMark: 0 });
}
