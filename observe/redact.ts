/** The value that replaces a secret header. */
export const REDACTED = "[REDACTED]";

/** Headers whose values never leave the proxy, lower case. */
export const SECRET_HEADERS: ReadonlySet<string> = new Set([
  "authorization",
  "proxy-authorization",
  "cookie",
  "set-cookie",
  "x-api-key",
]);

/**
 * Headers as a plain object for captures and in-flight entries, with each
 * secret value replaced by `[REDACTED]`.
 *
 * Names take their canonical form (`x-api-key` becomes `X-Api-Key`), as
 * llama-swap shows them. A `Headers` object already joins a repeated field
 * into one value with `, `; `Set-Cookie`, the only field it keeps apart, is
 * redacted anyway, so every name maps to one string.
 */
export function redactHeaders(headers: Headers): Record<string, string> {
  const flat = new Map<string, string>();
  for (const [name, value] of headers) {
    const key = canonicalHeaderName(name);
    if (flat.has(key)) continue;
    flat.set(key, SECRET_HEADERS.has(name.toLowerCase()) ? REDACTED : value);
  }
  // fromEntries defines own properties, so a header named __proto__ is safe.
  return Object.fromEntries(flat);
}

/** `content-type` -> `Content-Type`: upper case after each dash. */
export function canonicalHeaderName(name: string): string {
  return name.toLowerCase().replace(
    /(^|-)([a-z])/g,
    (_, dash: string, letter: string) => dash + letter.toUpperCase(),
  );
}
