/**
 * Every error answer the proxy writes itself: the OpenAI-style JSON envelope,
 * with plain-text and HTML variants chosen by the request's `Accept` header.
 */

/** The JSON body of an error answer. */
export interface ErrorEnvelope {
  readonly src: "llama-swap";
  readonly error: {
    readonly message: string;
    readonly type: string;
    readonly param: null;
    readonly code: string;
  };
}

/** A failure a route reports to the client; `onError` renders it. */
export class HttpError extends Error {
  readonly status: number;
  /** Overrides the code derived from the status (e.g. `concurrency_limit`). */
  readonly code: string | undefined;
  /** Extra response headers, such as `Retry-After` or `WWW-Authenticate`. */
  readonly headers: Readonly<Record<string, string>>;
  /** Answer in JSON whatever the client accepts (the 429 rejection). */
  readonly jsonOnly: boolean;

  constructor(
    status: number,
    message: string,
    options: {
      code?: string;
      headers?: Record<string, string>;
      jsonOnly?: boolean;
      cause?: unknown;
    } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = "HttpError";
    this.status = status;
    this.code = options.code;
    this.headers = options.headers ?? {};
    this.jsonOnly = options.jsonOnly ?? false;
  }
}

/** The error `type` and `code` clients see for an HTTP status. */
export function errorKind(status: number): { type: string; code: string } {
  switch (status) {
    case 400:
      return { type: "invalid_request_error", code: "bad_request" };
    case 401:
      return { type: "authentication_error", code: "unauthorized" };
    case 403:
      return { type: "authentication_error", code: "forbidden" };
    case 404:
      return { type: "invalid_request_error", code: "not_found" };
    case 409:
      return { type: "invalid_request_error", code: "conflict" };
    case 429:
      return { type: "rate_limit_error", code: "rate_limit_exceeded" };
    case 502:
      return { type: "server_error", code: "bad_gateway" };
    case 503:
      return { type: "server_error", code: "service_unavailable" };
    case 504:
      return { type: "server_error", code: "gateway_timeout" };
  }
  if (status >= 400 && status < 500) {
    return { type: "invalid_request_error", code: "invalid_request" };
  }
  return { type: "server_error", code: "internal_error" };
}

/** Builds the envelope for `status`; `code` replaces the derived code. */
export function errorEnvelope(
  status: number,
  message: string,
  code?: string,
): ErrorEnvelope {
  const kind = errorKind(status);
  return {
    src: "llama-swap",
    error: { message, type: kind.type, param: null, code: code ?? kind.code },
  };
}

/**
 * Renders an error for a client: `Accept` containing `text/plain` gets
 * `llama-swap: <message>`, `text/html` a small escaped page, anything else
 * the JSON envelope. `jsonOnly` skips the negotiation.
 */
export function errorResponse(
  accept: string | null,
  error: HttpError,
): Response {
  const { headers, body } = errorAnswer(accept, error);
  return new Response(body, { status: error.status, headers });
}

/** The headers and body `errorResponse()` answers with. */
export function errorAnswer(
  accept: string | null,
  error: HttpError,
): { headers: Headers; body: string } {
  const headers = new Headers(error.headers);
  const wanted = error.jsonOnly ? "" : accept ?? "";
  if (wanted.includes("text/plain")) {
    headers.set("Content-Type", "text/plain; charset=utf-8");
    return { headers, body: `llama-swap: ${error.message}` };
  }
  if (wanted.includes("text/html")) {
    headers.set("Content-Type", "text/html; charset=utf-8");
    return { headers, body: errorPage(error.message) };
  }
  headers.set("Content-Type", "application/json");
  const envelope = errorEnvelope(error.status, error.message, error.code);
  return { headers, body: JSON.stringify(envelope) };
}

function errorPage(message: string): string {
  return "<!DOCTYPE html>\n<html><head><title>llama-swap</title></head>" +
    `<body><h1>llama-swap</h1><p>${escapeHtml(message)}</p></body></html>\n`;
}

const HTML_ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => HTML_ESCAPES[ch] ?? ch);
}
