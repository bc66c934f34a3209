/**
 * The URL a request goes to: the model's or peer's base URL with its path
 * prefixed to the request path and both query strings merged.
 *
 * `rawPath` and `rawQuery` are used as the client wrote them, so percent
 * escapes such as `%2F` reach the upstream unchanged. The path must start
 * with `/`; callers refuse dot segments before they get here.
 */
export function joinUpstreamUrl(
  base: string,
  rawPath: string,
  rawQuery: string,
): string {
  const { start, query: baseQuery } = parsedBase(base);
  const queries = [baseQuery, rawQuery.replace(/^\?/, "")]
    .filter((part) => part !== "");
  const query = queries.length > 0 ? `?${queries.join("&")}` : "";
  return `${start}${rawPath}${query}`;
}

/** A base URL's origin and path without a final `/`, and its query. */
interface ParsedBase {
  readonly start: string;
  readonly query: string;
}

/** Base URLs parsed so far: a handful of models and peers, asked often. */
const parsedBases = new Map<string, ParsedBase>();

/** Distinct base URLs remembered; more are parsed on every call. */
const PARSED_BASES_LIMIT = 1000;

function parsedBase(base: string): ParsedBase {
  const known = parsedBases.get(base);
  if (known) return known;
  const url = new URL(base);
  const prefix = url.pathname.endsWith("/")
    ? url.pathname.slice(0, -1)
    : url.pathname;
  const parsed = {
    start: `${url.origin}${prefix}`,
    query: url.search.slice(1),
  };
  if (parsedBases.size < PARSED_BASES_LIMIT) parsedBases.set(base, parsed);
  return parsed;
}

/**
 * The path and query of a request exactly as the client sent them, taken
 * from `request.url` without URL normalisation (Deno keeps the raw request
 * target there).
 */
export function rawPathAndQuery(url: string): { path: string; query: string } {
  const afterScheme = url.indexOf("://");
  const pathStart = url.indexOf("/", afterScheme < 0 ? 0 : afterScheme + 3);
  if (pathStart < 0) return { path: "/", query: "" };

  const rest = url.slice(pathStart);
  const hash = rest.indexOf("#");
  const target = hash < 0 ? rest : rest.slice(0, hash);
  const mark = target.indexOf("?");
  return mark < 0
    ? { path: target, query: "" }
    : { path: target.slice(0, mark), query: target.slice(mark) };
}
