/**
 * The client's IP address: the first `X-Forwarded-For` entry, else
 * `X-Real-IP`, else the socket's address; null when none is known (a
 * request handed to `app.fetch()` without connection info).
 */
export function clientIp(
  headers: Headers,
  remoteAddr: Deno.Addr | undefined,
): string | null {
  const forwarded = headers.get("x-forwarded-for")?.split(",")[0]?.trim();
  if (forwarded) return forwarded;

  const real = headers.get("x-real-ip")?.trim();
  if (real) return real;

  return socketIp(remoteAddr);
}

/** The address of the socket a request came on; null when unknown. */
function socketIp(remoteAddr: Deno.Addr | undefined): string | null {
  return remoteAddr && "hostname" in remoteAddr ? remoteAddr.hostname : null;
}

/** Who sent a request, for the `X-Forwarded-*` headers local models get. */
export interface ClientInfo {
  /** Who the request is for, as the logs show it (see `clientIp()`). */
  readonly ip: string | null;
  /**
   * The socket peer's address, which `X-Forwarded-For` gets appended (as
   * Go's proxy does: the list's own entries are the client's word, not
   * ours); null when unknown.
   */
  readonly peer: string | null;
  /** The `Host` the client addressed, exactly as it sent it. */
  readonly host: string;
  /** `http` or `https`. */
  readonly proto: string;
}

/**
 * The client behind `request` (see `clientIp()` for the address); pass
 * `url` when `request.url` is parsed already.
 */
export function clientInfo(
  request: Request,
  remoteAddr: Deno.Addr | undefined,
  url: URL = new URL(request.url),
): ClientInfo {
  return {
    ip: clientIp(request.headers, remoteAddr),
    peer: socketIp(remoteAddr),
    // As the client wrote it (URL parsing would drop `:80`, lower-case it
    // or expand `127.1`); the URL's host when it sent none.
    host: request.headers.get("host") ?? url.host,
    proto: url.protocol.slice(0, -1),
  };
}
