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

  if (remoteAddr && "hostname" in remoteAddr) return remoteAddr.hostname;
  return null;
}
