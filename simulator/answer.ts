import { type Clock, delay } from "../lib/mod.ts";
import { buildTimings, type Reply, type ReplyFormat } from "./reply.ts";
import { SSE_HEADERS } from "./sse.ts";

/** What `answerReply()` needs besides the reply and its format. */
export interface AnswerOptions {
  readonly stream: boolean;
  /** Pause before each token, in ms. */
  readonly tokenMs: number;
  readonly clock: Clock;
  /**
   * The request's signal, which aborts when the client goes away. Read only
   * while a whole reply waits between tokens (without the `no-legacy-abort`
   * unstable option, Deno warns when a signal that was read aborts after a
   * successful answer). Streams learn of a departed client from their body
   * being cancelled instead.
   */
  readonly signal: () => AbortSignal;
  /** Token count after which a stream crashes, or null. */
  readonly crashMidStream: number | null;
  /**
   * Called once the stream reached `crashMidStream` tokens and was errored,
   * which drops the connection; production ends the process from here.
   */
  onCrash(): void;
  /** The whole reply was produced. Called at most once. */
  onDone(): void;
  /** The client left before the end. Called at most once. */
  onCancelled(tokensSent: number): void;
}

const encoder = new TextEncoder();

/**
 * Generates `reply` at the configured pace and answers with it, whole as
 * JSON or as a stream of SSE frames. Exactly one of `onDone` and
 * `onCancelled` is called, unless the process crashes first.
 *
 * Resolves once a whole reply is generated, or at once for a stream (whose
 * body then generates as the client reads, so a slow reader slows it down).
 */
export async function answerReply(
  reply: Reply,
  format: ReplyFormat,
  options: AnswerOptions,
): Promise<Response> {
  if (options.stream) return streamReply(reply, format, options);

  const started = options.clock.now();
  const signal = options.tokenMs > 0 ? options.signal() : undefined;
  for (let i = 0; i < reply.tokens.length; i++) {
    if (!await pace(options, signal)) {
      options.onCancelled(i);
      return new Response(null, { status: 499 });
    }
  }

  const elapsed = options.clock.now() - started;
  const timings = buildTimings(
    reply.promptTokens,
    reply.tokens.length,
    elapsed,
  );
  options.onDone();
  return Response.json(format.whole(reply, timings));
}

function streamReply(
  reply: Reply,
  format: ReplyFormat,
  options: AnswerOptions,
): Response {
  const stop = new AbortController();
  let settled = false;
  let sent = 0;
  let startSent = false;
  const settle = (outcome: "done" | "cancelled") => {
    if (settled) return;
    settled = true;
    if (outcome === "done") options.onDone();
    else options.onCancelled(sent);
  };

  const started = options.clock.now();
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!startSent) {
        startSent = true;
        const head = format.streamStart(reply);
        if (head !== "") return controller.enqueue(encoder.encode(head));
      }

      if (sent < reply.tokens.length) {
        if (sent === options.crashMidStream) {
          settled = true;
          controller.error(new Error("Simulated crash mid-stream"));
          options.onCrash();
          return;
        }
        if (!await pace(options, stop.signal)) return settle("cancelled");
        controller.enqueue(encoder.encode(format.streamToken(reply, sent)));
        sent++;
        return;
      }

      const elapsed = options.clock.now() - started;
      const timings = buildTimings(reply.promptTokens, sent, elapsed);
      controller.enqueue(encoder.encode(format.streamEnd(reply, timings)));
      controller.close();
      settle("done");
    },
    cancel() {
      stop.abort();
      settle("cancelled");
    },
  }, { highWaterMark: 0 });

  return new Response(body, { headers: SSE_HEADERS });
}

/** Waits one token's time; false when `signal` aborted first. */
async function pace(
  options: AnswerOptions,
  signal: AbortSignal | undefined,
): Promise<boolean> {
  if (signal?.aborted) return false;
  if (options.tokenMs <= 0) return true;
  try {
    await delay(options.tokenMs, {
      clock: options.clock,
      ...(signal ? { signal } : {}),
    });
    return true;
  } catch (error) {
    if (signal?.aborted) return false;
    throw error;
  }
}
