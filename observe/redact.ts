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
 * redacted anyway, so every name maps to one string. `omit` (lower case)
 * leaves one header out.
 */
export function redactHeaders(
  headers: Headers,
  omit?: string,
): Record<string, string> {
  const pairs: [string, string][] = [];
  let previous = "";
  // forEach: Deno walks a Headers object this way several times faster
  // than with its iterator. Names arrive in lower case and sorted, so the
  // repeats of `Set-Cookie` come one after the other.
  headers.forEach((value, name) => {
    if (name === previous || name === omit) return;
    previous = name;
    pairs.push([
      canonicalHeaderName(name),
      SECRET_HEADERS.has(name) ? REDACTED : value,
    ]);
  });
  // fromEntries defines own properties, so a header named __proto__ is safe.
  return Object.fromEntries(pairs);
}

/** Canonical forms already computed; most requests repeat the same names. */
const canonicalNames = new Map<string, string>();

/** Distinct names remembered, so random names cannot grow the cache. */
const CANONICAL_CACHE_SIZE = 1000;

/** `content-type` -> `Content-Type`: upper case after each dash. */
export function canonicalHeaderName(name: string): string {
  const known = canonicalNames.get(name);
  if (known !== undefined) return known;
  const canonical = name.toLowerCase().replace(
    /(^|-)([a-z])/g,
    (_, dash: string, letter: string) => dash + letter.toUpperCase(),
  );
  if (canonicalNames.size < CANONICAL_CACHE_SIZE) {
    canonicalNames.set(name, canonical);
  }
  return canonical;
}
