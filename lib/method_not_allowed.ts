/**
 * The 405 answer for a path that exists under other methods, as Go's mux
 * gives it: plain text, and an `Allow` header naming the path's methods
 * sorted (a GET route also answers HEAD).
 */
export function methodNotAllowed(methods: Iterable<string>): Response {
  const allowed = new Set(methods);
  if (allowed.has("GET")) allowed.add("HEAD");
  return new Response("Method Not Allowed\n", {
    status: 405,
    headers: {
      "Allow": [...allowed].sort().join(", "),
      "Content-Type": "text/plain; charset=utf-8",
    },
  });
}
