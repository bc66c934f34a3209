import { errorText } from "../lib/mod.ts";
import type { Logger } from "../log/mod.ts";
import { errorAnswer, HttpError } from "./errors.ts";

/** What the proxy knows when an inference request has found its model. */
export interface RequestStart {
  /** Unique per request (a UUID). */
  readonly id: string;
  /** The real local model ID, or a peer model's FQN. */
  readonly model: string;
  /** The path sent upstream (`/v` and `/upstream/<model>` removed). */
  readonly path: string;
  readonly method: string;
  /** The client's headers, unredacted: the observer must redact them. */
  readonly headers: Headers;
  readonly remoteIp: string | null;
  /**
   * Labels for the activity log known when the request starts, such as
   * `selector` (the selector that chose the model). Labels known only
   * later arrive through `RequestObservation.annotate()`.
   */
  readonly metadata: Readonly<Record<string, string>>;
}

/**
 * One request being watched. The proxy calls `requestBody` once, then
 * `responseStarted` and `chunk` as the upstream answers, and `finished`
 * exactly once, whatever happened. Calls must not block: the proxy's hot
 * path waits for them.
 */
export interface RequestObservation {
  /** When it aborts (a cancel from the UI), the proxy drops the request. */
  readonly signal?: AbortSignal;
  /**
   * Adds a metadata label learnt after the start, before `finished`: a
   * served local request gets `fifo_priority` (its lease's priority) once
   * the router grants it. Labels set here join `RequestStart.metadata`
   * (a later value for the same key wins). Optional: an observer without
   * it never hears of such labels.
   */
  annotate?(key: string, value: string): void;
  /**
   * The body sent upstream (after filters); null when there is none. The
   * proxy never changes these bytes afterwards: an observer may keep them.
   */
  requestBody(bytes: Uint8Array<ArrayBuffer> | null): void;
  responseStarted(status: number, headers: Headers): void;
  /**
   * A response chunk as it passes. The proxy never changes it afterwards,
   * so an observer may keep it (copying only a view into a larger buffer,
   * which would keep all of that alive).
   */
  chunk(bytes: Uint8Array): void;
  finished(result: { status: number; error?: string }): void;
}

/**
 * Watches model-addressed requests and `/upstream` inference requests, for
 * activity history, captures, metrics and the in-flight table.
 */
export interface ProxyObserver {
  requestStarted(start: RequestStart): RequestObservation;
}

const silentObservation: RequestObservation = {
  requestBody() {},
  responseStarted() {},
  chunk() {},
  finished() {},
};

/** An observer that records nothing, the default. */
export const noopObserver: ProxyObserver = {
  requestStarted: () => silentObservation,
};

/**
 * Starts an observation that can never hurt the request: a throwing
 * observer is logged once and then ignored, and `finished` is delivered at
 * most once.
 */
export function startObservation(
  observer: ProxyObserver,
  start: RequestStart,
  logger: Logger,
): RequestObservation {
  let broken = false;
  let finished = false;
  const guard = (what: string, fn: () => void) => {
    if (broken) return;
    try {
      fn();
    } catch (error) {
      broken = true;
      logger.warn("observer failed; ignoring it for this request", {
        call: what,
        id: start.id,
        error: errorText(error),
      });
    }
  };

  let inner: RequestObservation = silentObservation;
  guard("requestStarted", () => inner = observer.requestStarted(start));
  return {
    ...(inner.signal ? { signal: inner.signal } : {}),
    requestBody: (bytes) =>
      guard("requestBody", () => inner.requestBody(bytes)),
    responseStarted: (status, headers) =>
      guard("responseStarted", () => inner.responseStarted(status, headers)),
    chunk: (bytes) => guard("chunk", () => inner.chunk(bytes)),
    annotate: (key, value) =>
      guard("annotate", () => inner.annotate?.(key, value)),
    finished(result) {
      if (finished) return;
      finished = true;
      guard("finished", () => inner.finished(result));
    },
  };
}

/**
 * The same observation, except that `finished` also runs `hook` (after
 * the observer heard it). Used to end work tied to the request's end,
 * such as a selector's reservation; `hook` must not throw.
 */
export function alsoOnFinished(
  observation: RequestObservation,
  hook: () => void,
): RequestObservation {
  return {
    ...observation,
    finished(result) {
      try {
        observation.finished(result);
      } finally {
        hook();
      }
    },
  };
}

/**
 * Finishes an observation with the error answer the client is about to
 * get for `error` (what `onError` renders for `accept`): the observer sees
 * its status, headers and body as it would an upstream's, so the activity
 * entry has its content type and a capture holds the body.
 */
export function finishWithError(
  observation: RequestObservation,
  accept: string | null,
  error: unknown,
): void {
  const failure = error instanceof HttpError
    ? error
    : new HttpError(500, "internal server error");
  const { headers, body } = errorAnswer(accept, failure);
  observation.responseStarted(failure.status, headers);
  observation.chunk(new TextEncoder().encode(body));
  observation.finished({
    status: failure.status,
    error: errorText(error),
  });
}
