import type { LoadingStateFormat } from "../../config/types.ts";
import { type Clock, errorText, systemClock } from "../../lib/mod.ts";
import { type Logger, silentLogger } from "../../log/mod.ts";
import {
  type Frame,
  type FrameRenderer,
  frameRenderer,
} from "./frame_renderer.ts";
import { progressText } from "./progress_text.ts";
import { PushableBody } from "./pushable_body.ts";
import { RemarkDeck } from "./remark_deck.ts";
import { REMARKS } from "./remarks.ts";

/** Time between ticks of the loading text. */
const TICK_MS = 750;
/** Bounds of the random wait between remarks, in whole seconds. */
const REMARK_GAP_MIN_S = 5;
const REMARK_GAP_MAX_S = 9;
/** Minimum time between two progress figures. */
const PROGRESS_GAP_MS = 3_000;
/**
 * Unread bytes the body may hold before ticks are skipped. Typed text
 * already under way is finished, so the queue stays below this plus one line.
 */
const UNREAD_LIMIT_BYTES = 16 * 1024;
/** Framing line above and below the loading text. */
const SEPARATOR = "\u2501".repeat(5);

const encoder = new TextEncoder();

export interface LoadingStreamOptions {
  /** The real model ID, shown in the banner. */
  model: string;
  /** Where the text goes; see `LoadingStateFormat`. */
  format: LoadingStateFormat;
  /** Remarks to shuffle and cycle; an empty list shows only dots. */
  remarks?: readonly string[];
  clock?: Clock;
  /** Numbers in [0, 1), like `Math.random`: remark order and gaps. */
  random?: () => number;
  /**
   * Median of this model's previous load times. When above zero, progress
   * figures are shown; null, absent or not above zero shows none.
   */
  expectedLoadMs?: number | null;
  /** When the wait began, for the elapsed time; defaults to now. */
  startedAt?: number;
  /** Receives a warning when the upstream body fails while piped. */
  logger?: Logger;
}

/** An error reported to the client inside the stream, OpenAI style. */
export interface LoadingError {
  /**
   * The status the error would have had. The response already went out as
   * 200, so it is not written; callers keep it for logs and metrics.
   */
  status: number;
  message: string;
  type: string;
  code: string;
}

/**
 * The body of a streaming chat response while its model loads: a banner,
 * then a tick every 750 ms (a pending status, else a remark when one is
 * due, else a progress figure when one is due, else a dot), then either the
 * upstream's own body (`handOver()`) or an in-band error event (`fail()`).
 *
 * Created by the HTTP layer once `shouldSendLoadingState()` says yes; it
 * returns `body` in a 200 response with `loadingHeaders()` at once. From
 * then on only the owner of the request calls `setQueuePosition()`, and
 * exactly one of `handOver()` or `fail()` ends it. Nothing here blocks.
 *
 * After `handOver()` or `fail()` begins, no loading byte is written: the
 * text being typed is flushed at once and the end lines follow, so the
 * hand-over is never delayed by typing. When the client reads slowly,
 * ticks are skipped rather than queued.
 */
export class LoadingStream {
  /** Give this to the `Response`; status and headers are the caller's. */
  readonly body: ReadableStream<Uint8Array>;

  #out: PushableBody;
  #renderer: FrameRenderer;
  #clock: Clock;
  #random: () => number;
  #deck: RemarkDeck;
  #logger: Logger;
  #model: string;
  #startedAt: number;
  #expectedLoadMs: number | null;

  /** Frames still to type; the first is written when the pause ends. */
  #typing: Frame[] = [];
  #stopTyping: (() => void) | null = null;
  #stopTicker: (() => void) | null = null;
  #nextRemarkAt = -Infinity;
  #nextProgressAt: number;
  #loadStartedAt: number;
  #queued = false;
  #pendingPosition: number | null = null;
  #shownPosition: number | null = null;

  /** `handOver()` or `fail()` has begun. */
  #ended = false;

  constructor(options: LoadingStreamOptions) {
    this.#renderer = frameRenderer(options.format);
    this.#clock = options.clock ?? systemClock;
    this.#random = options.random ?? Math.random;
    this.#deck = new RemarkDeck(options.remarks ?? REMARKS, this.#random);
    this.#logger = options.logger ?? silentLogger;
    this.#model = options.model;
    this.#startedAt = options.startedAt ?? this.#clock.now();
    this.#loadStartedAt = this.#startedAt;
    this.#nextProgressAt = this.#startedAt + PROGRESS_GAP_MS;
    const expected = options.expectedLoadMs ?? null;
    this.#expectedLoadMs = expected !== null && expected > 0 ? expected : null;

    this.#out = new PushableBody({
      highWaterMark: UNREAD_LIMIT_BYTES,
      onConsumerCancel: () => this.#stop(),
      logger: this.#logger,
      label: this.#model,
    });
    this.body = this.#out.stream;

    this.#type(this.#renderer.line(SEPARATOR));
    this.#type(this.#renderer.line(`llama-swap loading model: ${this.#model}`));
    this.#stopTicker = this.#clock.setTimer(() => this.#tick(), TICK_MS);
  }

  /**
   * Shows `Queue position: #<position>` on the next tick; when several
   * arrive before it, the latest wins, and a position already shown is not
   * repeated. null means the request left the queue: a position not yet
   * shown is dropped, and the progress figure counts from now. Ignored once
   * the stream has ended.
   *
   * @throws {RangeError} when `position` is not a whole number above zero
   */
  setQueuePosition(position: number | null): void {
    if (position !== null && !(Number.isInteger(position) && position > 0)) {
      throw new RangeError(
        `Cannot show queue position: "${position}" is not a whole number above zero`,
      );
    }
    if (this.#ended || this.#out.finished) return;

    if (position === null) {
      this.#pendingPosition = null;
      this.#shownPosition = null;
      if (this.#queued) this.#restartProgress();
      this.#queued = false;
      return;
    }

    this.#queued = true;
    this.#pendingPosition = position === this.#shownPosition ? null : position;
  }

  /**
   * Ends the loading text with `Done! (<seconds>s)`, then pipes `upstream`
   * through byte for byte, as fast as the client reads, and closes the
   * body. `upstream` null closes right after the end lines.
   *
   * Resolves when piping is done, the client left, or the upstream failed
   * (then the body is errored so the client sees a broken stream, and a
   * warning is logged). When the client already left, `upstream` is
   * cancelled and nothing is written.
   *
   * @throws {Error} (as a rejection) when `handOver()` or `fail()` was
   *   already called; `upstream` is cancelled
   */
  async handOver(upstream: ReadableStream<Uint8Array> | null): Promise<void> {
    if (this.#ended) {
      await this.#out.discard(upstream);
      throw this.#alreadyEnded("hand over");
    }
    this.#ended = true;
    this.#writeEnding(`Done! (${this.#elapsedSeconds()}s)`);
    if (upstream === null) {
      this.#out.close();
      return;
    }

    const outcome = await this.#out.pipeFrom(upstream);
    if (outcome.kind === "upstreamFailed") {
      this.#logger.warn("upstream body failed during hand-over", {
        model: this.#model,
        error: errorText(outcome.error),
      });
    }
  }

  /**
   * Ends the loading text with `Loading failed (<seconds>s)`, or with
   * `Done! (<seconds>s)` when `loaded` (the model loaded but its server
   * refused the request), writes the error as one SSE event in the OpenAI
   * envelope (`data: {"error":{"message","type","param":null,"code"}}`),
   * then `data: [DONE]`, and closes the body. Writes nothing when the
   * client already left.
   *
   * @throws {Error} (as a rejection) when `handOver()` or `fail()` was
   *   already called
   */
  fail(error: LoadingError, { loaded = false } = {}): Promise<void> {
    if (this.#ended) return Promise.reject(this.#alreadyEnded("fail"));
    this.#ended = true;

    const seconds = this.#elapsedSeconds();
    this.#writeEnding(
      loaded ? `Done! (${seconds}s)` : `Loading failed (${seconds}s)`,
    );
    const envelope = {
      error: {
        message: error.message,
        type: error.type,
        param: null,
        code: error.code,
      },
    };
    const event = `data: ${JSON.stringify(envelope)}\n\ndata: [DONE]\n\n`;
    this.#out.write(encoder.encode(event));
    this.#out.close();
    return Promise.resolve();
  }

  /**
   * The client went away: stops every timer, stops piping (cancelling the
   * upstream body) and closes the body without writing anything more.
   * Safe to call at any time, more than once.
   */
  cancel(): void {
    this.#stop();
    this.#out.cancel("client went away");
  }

  #alreadyEnded(action: string): Error {
    return new Error(
      `Cannot ${action} loading stream for "${this.#model}": it has already ended`,
    );
  }

  /**
   * Runs every 750 ms until the stream ends. Skipped while text is still
   * being typed or the client is behind; otherwise writes the first of:
   * 1. a pending queue position (and pushes the next remark a full gap out),
   * 2. a remark, when its gap has passed (the first tick always qualifies),
   * 3. a progress figure, when one is due and the request is not queued,
   * 4. a dot.
   */
  #tick(): void {
    this.#stopTicker = this.#clock.setTimer(() => this.#tick(), TICK_MS);
    if (this.#typing.length > 0 || this.#out.behind) return;

    const now = this.#clock.now();
    // 1.
    const position = this.#pendingPosition;
    if (position !== null) {
      this.#pendingPosition = null;
      this.#shownPosition = position;
      this.#nextRemarkAt = now + this.#remarkGapMs();
      this.#type(this.#renderer.note(`Queue position: #${position}`));
      return;
    }

    // 2.
    const remark = now >= this.#nextRemarkAt ? this.#deck.deal() : null;
    if (remark !== null) {
      this.#nextRemarkAt = now + this.#remarkGapMs();
      this.#type(this.#renderer.note(remark));
      return;
    }

    // 3.
    const expected = this.#expectedLoadMs;
    if (expected !== null && !this.#queued && now >= this.#nextProgressAt) {
      this.#nextProgressAt = now + PROGRESS_GAP_MS;
      const elapsed = now - this.#loadStartedAt;
      this.#type(this.#renderer.note(progressText(elapsed, expected)));
      return;
    }

    // 4.
    this.#type(this.#renderer.dot());
  }

  #remarkGapMs(): number {
    const span = REMARK_GAP_MAX_S - REMARK_GAP_MIN_S + 1;
    const extra = Math.min(span - 1, Math.floor(this.#random() * span));
    return (REMARK_GAP_MIN_S + extra) * 1000;
  }

  #restartProgress(): void {
    const now = this.#clock.now();
    this.#loadStartedAt = now;
    this.#nextProgressAt = now + PROGRESS_GAP_MS;
  }

  #elapsedSeconds(): string {
    return ((this.#clock.now() - this.#startedAt) / 1000).toFixed(2);
  }

  /** Queues frames for typing and starts typing unless it is under way. */
  #type(frames: Frame[]): void {
    const idle = this.#typing.length === 0;
    this.#typing.push(...frames);
    if (idle) this.#typeNext();
  }

  /** Writes frames until one asks for a pause, then waits on the clock. */
  #typeNext(): void {
    this.#stopTyping = null;
    for (;;) {
      const frame = this.#typing.shift();
      if (!frame) return;

      this.#out.write(frame.bytes);
      if (frame.pauseMs > 0 && this.#typing.length > 0) {
        const next = () => this.#typeNext();
        this.#stopTyping = this.#clock.setTimer(next, frame.pauseMs);
        return;
      }
    }
  }

  /** Stops the ticker, flushes the text being typed, writes the end lines. */
  #writeEnding(summary: string): void {
    this.#stopTimers();
    for (const frame of this.#typing) this.#out.write(frame.bytes);
    this.#typing = [];
    for (const frame of this.#renderer.ending(summary, SEPARATOR)) {
      this.#out.write(frame.bytes);
    }
  }

  /** Stops the ticker and typing for good; nothing loading is written. */
  #stop(): void {
    this.#stopTimers();
    this.#typing = [];
  }

  #stopTimers(): void {
    this.#stopTicker?.();
    this.#stopTicker = null;
    this.#stopTyping?.();
    this.#stopTyping = null;
  }
}
