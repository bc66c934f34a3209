import { isJsonObject } from "./usage_fields.ts";

/** Longest error message kept, in characters, before `...` is added. */
export const MAX_ERROR_MESSAGE_CHARS = 500;

const STATUS_TEXT: Readonly<Record<number, string>> = {
  400: "Bad Request",
  401: "Unauthorized",
  402: "Payment Required",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  406: "Not Acceptable",
  408: "Request Timeout",
  409: "Conflict",
  410: "Gone",
  411: "Length Required",
  413: "Request Entity Too Large",
  415: "Unsupported Media Type",
  422: "Unprocessable Entity",
  424: "Failed Dependency",
  425: "Too Early",
  429: "Too Many Requests",
  431: "Request Header Fields Too Large",
  499: "Client Closed Request",
  500: "Internal Server Error",
  501: "Not Implemented",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout",
  505: "HTTP Version Not Supported",
  507: "Insufficient Storage",
};

const decoder = new TextDecoder();

/**
 * The `error_msg` of an activity entry: "" for status 200; otherwise the
 * message found in a JSON error body (see `errorMessageFromBody()`), else
 * the status line such as `502 Bad Gateway`.
 */
export function extractErrorMessage(
  body: Uint8Array | string,
  status: number,
): string {
  if (status === 200) return "";
  const found = errorMessageFromBody(body);
  if (found !== "") return found;
  const text = STATUS_TEXT[status];
  return text ? `${status} ${text}` : String(status);
}

/**
 * The first non-empty string among `error.message`, `error`, `message` and
 * `detail` of a JSON object body, cut to 500 characters plus `...`; "" when
 * the body is not JSON or holds none of them. Pure; never throws.
 */
export function errorMessageFromBody(body: Uint8Array | string): string {
  const text = typeof body === "string" ? body : decoder.decode(body);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return ""; // an HTML or plain-text error page: the caller uses the status
  }
  if (!isJsonObject(parsed)) return "";

  const error = parsed.error;
  const candidates = [
    isJsonObject(error) ? error.message : undefined,
    error,
    parsed.message,
    parsed.detail,
  ];
  const message = candidates.find((value): value is string =>
    typeof value === "string" && value !== ""
  );
  return message === undefined ? "" : truncate(message);
}

function truncate(message: string): string {
  const chars = Array.from(message);
  if (chars.length <= MAX_ERROR_MESSAGE_CHARS) return message;
  return `${chars.slice(0, MAX_ERROR_MESSAGE_CHARS).join("")}...`;
}
