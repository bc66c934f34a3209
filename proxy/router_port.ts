import { errorText } from "../lib/mod.ts";
import { HttpError } from "./errors.ts";

/** Permission to send one request to a ready model. */
export interface Lease {
  readonly model: string;
  readonly priority: number;
  /** Ends the request's turn; the proxy calls it exactly once. */
  release(): void;
}

/** The router's answer at admission. */
export interface Ticket {
  /** True when the model was ready and the lease granted at once. */
  readonly immediate: boolean;
  /** Resolves when the model is ready for this request; may reject. */
  readonly lease: Promise<Lease>;
}

/**
 * The part of the router the proxy uses. The real `Router` satisfies it;
 * tests pass a fake.
 */
export interface RouterPort {
  /**
   * Admits a request for the real model ID `model`. Rejects at once with a
   * router error (404 unknown, 429 over the limit, 503 shutting down).
   * Aborting `signal` withdraws the request.
   */
  request(
    model: string,
    options: {
      signal: AbortSignal;
      onQueuePosition?: (position: number | null) => void;
    },
  ): Promise<Ticket>;

  /** Stops the given models (all when omitted) and resolves once stopped. */
  unload(
    models?: readonly string[],
    options?: { timeoutMs?: number },
  ): Promise<void>;
}

/** The shape of the router's errors, recognised without importing them. */
export interface RouterRejection {
  readonly status: number;
  readonly code: string;
  readonly message: string;
  readonly retryAfter?: number;
}

/** True for an error carrying the router's `status` and `code`. */
export function isRouterRejection(error: unknown): error is RouterRejection {
  return error instanceof Error &&
    typeof (error as Partial<RouterRejection>).status === "number" &&
    typeof (error as Partial<RouterRejection>).code === "string";
}

/**
 * The client-facing error for a failed admission or a failed wait:
 * 404 and 429 with llama-swap's texts (429 in JSON with `Retry-After` and
 * code `concurrency_limit`), 499 when the client left, 503 with the
 * router's text, everything else 500 `unspecific error: ...`.
 */
export function routerFailure(error: unknown): HttpError {
  const status = isRouterRejection(error) ? error.status : 500;
  const text = errorText(error);
  switch (status) {
    case 404:
      return new HttpError(404, "no local server found for requested model", {
        cause: error,
      });
    case 429: {
      const retryAfter = isRouterRejection(error) ? error.retryAfter ?? 1 : 1;
      return new HttpError(429, "Too many requests", {
        code: "concurrency_limit",
        headers: { "Retry-After": String(retryAfter) },
        jsonOnly: true,
        cause: error,
      });
    }
    case 499:
    case 503:
      return new HttpError(status, text, { cause: error });
    default:
      return new HttpError(500, `unspecific error: ${text}`, { cause: error });
  }
}
