/**
 * The client address shown in logs and in-flight entries: the first entry
 * of `X-Forwarded-For`, else `X-Real-IP`, else the socket address without
 * its port (`10.0.0.5:1234` -> `10.0.0.5`, `[::1]:80` -> `::1`).
 */
export function clientIp(headers: Headers, remoteAddr: string): string {
  const forwarded = headers.get("x-forwarded-for")?.split(",")[0]?.trim();
  if (forwarded) return forwarded;
  const real = headers.get("x-real-ip")?.trim();
  if (real) return real;
  return withoutPort(remoteAddr);
}

function withoutPort(address: string): string {
  const bracketed = /^\[([^\]]*)\](?::\d+)?$/.exec(address);
  if (bracketed) return bracketed[1]!;
  const colons = address.split(":").length - 1;
  return colons === 1 ? address.slice(0, address.indexOf(":")) : address;
}
