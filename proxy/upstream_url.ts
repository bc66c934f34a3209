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
  const url = new URL(base);
  const prefix = url.pathname.endsWith("/")
    ? url.pathname.slice(0, -1)
    : url.pathname;
  const queries = [url.search.slice(1), rawQuery.replace(/^\?/, "")]
    .filter((part) => part !== "");
  const query = queries.length > 0 ? `?${queries.join("&")}` : "";
  return `${url.origin}${prefix}${rawPath}${query}`;
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
