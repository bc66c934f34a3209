import { Cancelled } from "../lib/mod.ts";

/** What the HTTP layer branches on when the router refuses or fails. */
export type RouterErrorCode =
  | "model_not_found"
  | "concurrency_limit"
  | "shutting_down"
  | "model_unloaded"
  | "load_failed"
  | "model_reconfigured"
  | "client_gone";

/**
 * A request the router could not serve, with the HTTP status to answer.
 *
 * Made only through the static constructors, so every status, code and
 * message comes from one place. `retryAfter` (seconds) is set for 429.
 */
export class RouterError extends Error {
  readonly status: number;
  readonly code: RouterErrorCode;
  readonly retryAfter?: number;

  constructor(
    status: number,
    code: RouterErrorCode,
    message: string,
    options: { retryAfter?: number; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? {} : { cause: options.cause });
    this.name = "RouterError";
    this.status = status;
    this.code = code;
    if (options.retryAfter !== undefined) this.retryAfter = options.retryAfter;
  }

  /** 404: no process serves `model`. */
  static notFound(model: string): RouterError {
    return new RouterError(
      404,
      "model_not_found",
      `No local server found for requested model "${model}"`,
    );
  }

  /**
   * 429: `model` already holds `limit` admitted requests. The message is
   * llama-swap's, which clients may match.
   */
  static overLimit(model: string, limit: number): RouterError {
    return new RouterError(429, "concurrency_limit", "Too many requests", {
      retryAfter: 1,
      cause: new Error(`Concurrency limit of ${limit} reached for "${model}"`),
    });
  }

  /** 503: the router is shutting down. */
  static shuttingDown(model: string): RouterError {
    return new RouterError(
      503,
      "shutting_down",
      `Cannot serve "${model}": the router is shutting down`,
    );
  }

  /** 500: `model` was unloaded while the request waited for it. */
  static unloaded(model: string): RouterError {
    return new RouterError(
      500,
      "model_unloaded",
      `Cannot serve "${model}": model unloaded`,
    );
  }

  /** 500: the load of `model` failed; `cause` is the start error. */
  static loadFailed(model: string, cause: Error): RouterError {
    return new RouterError(
      500,
      "load_failed",
      `Cannot load "${model}": ${cause.message}`,
      { cause },
    );
  }

  /**
   * 503: a config reload removed `model`, or moved it to another address,
   * while the request waited; a retry is resolved against the new config.
   */
  static reconfigured(model: string, how: "removed" | "moved"): RouterError {
    const detail = how === "removed"
      ? "the new configuration removed it"
      : "the new configuration moved it to another address; retry";
    return new RouterError(
      503,
      "model_reconfigured",
      `Cannot serve "${model}": ${detail}`,
    );
  }

  /**
   * 499: the client left before it was served, or the request was
   * cancelled on purpose (a `Cancelled` reason, whose message is kept).
   */
  static clientGone(model: string, reason?: unknown): RouterError {
    const why = reason instanceof Cancelled
      ? reason.message
      : "the client went away";
    return new RouterError(
      499,
      "client_gone",
      `Request for "${model}" cancelled: ${why}`,
      reason === undefined ? {} : { cause: reason },
    );
  }
}
