/**
 * Helpers for this folder's tests: reading a body a little at a time and
 * decoding loading frames. Production code never imports this file.
 */
import assert from "node:assert/strict";

const NOTHING_YET: unique symbol = Symbol("nothing yet");

/** Reads a body incrementally without ever waiting for bytes not yet sent. */
export class StreamTap {
  #reader: ReadableStreamDefaultReader<Uint8Array>;
  #pending: Promise<ReadableStreamReadResult<Uint8Array>> | null = null;
  #decoder = new TextDecoder();
  /** True once the body has closed. */
  closed = false;

  constructor(body: ReadableStream<Uint8Array>) {
    this.#reader = body.getReader();
  }

  /**
   * Everything already queued in the body, as text. A read that is not
   * already settled loses the race against a settled promise, so this
   * never blocks; the read stays pending for the next call.
   */
  async available(): Promise<string> {
    let text = "";
    for (;;) {
      this.#pending ??= this.#reader.read();
      const settled: Promise<typeof NOTHING_YET> = Promise.resolve(NOTHING_YET);
      const result = await Promise.race([this.#pending, settled]);
      if (result === NOTHING_YET) return text;

      this.#pending = null;
      if (result.done) {
        this.closed = true;
        return text;
      }
      text += this.#decoder.decode(result.value, { stream: true });
    }
  }

  /** The next chunk, waiting for it; throws when the body has closed. */
  async nextChunk(): Promise<Uint8Array> {
    const result = await (this.#pending ?? this.#reader.read());
    this.#pending = null;
    if (result.done) {
      this.closed = true;
      throw new Error("Cannot read the next chunk: the body has closed");
    }
    return result.value;
  }

  /** Every remaining byte, waiting until the body closes. */
  async rest(): Promise<Uint8Array> {
    const chunks: Uint8Array[] = [];
    for (;;) {
      const result = await (this.#pending ?? this.#reader.read());
      this.#pending = null;
      if (result.done) break;
      chunks.push(result.value);
    }
    this.closed = true;
    return concat(chunks);
  }

  /** Cancels the body as a client that hangs up would. */
  async hangUp(): Promise<void> {
    await this.#reader.cancel("client hung up");
  }
}

/** The events of an SSE text, each without its closing blank line. */
export function sseEvents(text: string): string[] {
  assert.ok(
    text === "" || text.endsWith("\n\n"),
    `stream ends inside an event: ${JSON.stringify(text.slice(-40))}`,
  );
  return text.split("\n\n").slice(0, -1);
}

/**
 * The texts carried by reasoning frames, asserting that every event is a
 * `data:` line whose JSON holds only `choices[0].delta.reasoning_content`.
 */
export function reasoningDeltas(text: string): string[] {
  return sseEvents(text).map((event) => {
    assert.ok(event.startsWith("data: "), `not a data event: ${event}`);
    assert.ok(!event.includes("\n"), `event spans lines: ${event}`);
    const chunk = JSON.parse(event.slice("data: ".length));
    const content = chunk?.choices?.[0]?.delta?.reasoning_content;
    assert.equal(typeof content, "string", `no reasoning text: ${event}`);
    assert.deepEqual(chunk, {
      choices: [{ delta: { reasoning_content: content } }],
    });
    return content;
  });
}

/** The joined text of all reasoning frames in `text`. */
export function reasoningText(text: string): string {
  return reasoningDeltas(text).join("");
}

/** An upstream body that yields `chunks` and records being cancelled. */
export function fakeUpstream(
  chunks: Uint8Array[],
  options: { endless?: boolean } = {},
): { body: ReadableStream<Uint8Array>; cancelled: Promise<unknown> } {
  const { promise: cancelled, resolve } = Promise.withResolvers<unknown>();
  const queue = [...chunks];
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      const chunk = queue.shift();
      if (chunk) controller.enqueue(chunk);
      else if (!options.endless) controller.close();
    },
    cancel: resolve,
  }, { highWaterMark: 0 });
  return { body, cancelled };
}

/** The bytes of `parts` one after another. */
export function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, part) => n + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
