/** The only path prefix whose streaming requests get loading text. */
const LOADING_PATH_PREFIX = "/v1/chat/completions";

/** What `shouldSendLoadingState()` looks at, all known at admission. */
export interface LoadingStateQuestion {
  /** The forwarded request path, without the query string. */
  readonly path: string;
  /** The request asked for a streamed reply (`"stream": true`). */
  readonly streaming: boolean;
  /** The model's effective `sendLoadingState` setting. */
  readonly sendLoadingState: boolean;
  /** The model's process is ready to serve right now. */
  readonly ready: boolean;
}

/**
 * Decides whether a request gets a `LoadingStream` while it waits.
 *
 * True only for a streaming chat completion (a path starting with
 * `/v1/chat/completions`) to a model that has `sendLoadingState` on and is
 * not ready. Called once per request by the HTTP layer right after
 * admission; a request that gets false waits silently.
 */
export function shouldSendLoadingState(
  question: LoadingStateQuestion,
): boolean {
  return question.streaming &&
    question.sendLoadingState &&
    !question.ready &&
    question.path.startsWith(LOADING_PATH_PREFIX);
}
