/**
 * True for a websocket upgrade request: `Connection` lists the token
 * `upgrade` and `Upgrade` lists `websocket` (RFC 6455 §4.1), both compared
 * case-insensitively within comma separated lists.
 */
export function isWebSocketUpgrade(headers: Headers): boolean {
  return hasToken(headers.get("connection"), "upgrade") &&
    hasToken(headers.get("upgrade"), "websocket");
}

/**
 * The subprotocols the client offered in `Sec-WebSocket-Protocol`, in its
 * order of preference; empty when it offered none.
 */
export function offeredProtocols(headers: Headers): string[] {
  return (headers.get("sec-websocket-protocol") ?? "").split(",")
    .map((protocol) => protocol.trim())
    .filter((protocol) => protocol !== "");
}

function hasToken(list: string | null, token: string): boolean {
  return (list ?? "").split(",")
    .some((item) => item.trim().toLowerCase() === token);
}
