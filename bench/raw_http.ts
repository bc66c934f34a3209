/**
 * HTTP/1.1 over a plain TCP socket, for requests `fetch` would rewrite:
 * request targets with `..` or encoded dots (fetch resolves them before
 * sending) and header sections larger than a client allows.
 */

/** The answer to a raw request. */
export interface RawAnswer {
  /** Status code; 0 when the connection closed without a status line. */
  readonly status: number;
  /** Header names in lower case. */
  readonly headers: ReadonlyMap<string, string>;
  /** The body as received (chunked bodies are not decoded). */
  readonly body: string;
}

/**
 * Sends `head` (request line and headers, without the final blank line)
 * and `body` to 127.0.0.1:`port` with `Connection: close`, and reads the
 * answer until the server closes. A reset after the answer counts as the
 * close.
 */
export async function rawRequest(
  port: number,
  head: string,
  body = "",
): Promise<RawAnswer> {
  const connection = await Deno.connect({ hostname: "127.0.0.1", port });
  const length = body === "" ? "" : `Content-Length: ${byteLength(body)}\r\n`;
  const text = `${
    head.replace(/\r?\n$/, "")
  }\r\n${length}Connection: close\r\n\r\n${body}`;
  const writer = connection.writable.getWriter();
  const written = writer.write(new TextEncoder().encode(text)).then(
    () => writer.releaseLock(),
    () => {}, // the server may answer and close before reading everything
  );

  const decoder = new TextDecoder();
  let received = "";
  try {
    for await (const chunk of connection.readable) {
      received += decoder.decode(chunk, { stream: true });
    }
  } catch (error) {
    if (!(error instanceof Deno.errors.ConnectionReset)) throw error;
  }
  await written;
  try {
    connection.close();
  } catch (error) {
    if (!(error instanceof Deno.errors.BadResource)) throw error; // closed
  }
  return parseAnswer(received);
}

function parseAnswer(text: string): RawAnswer {
  const end = text.indexOf("\r\n\r\n");
  const head = end < 0 ? text : text.slice(0, end);
  const [statusLine = "", ...lines] = head.split("\r\n");
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1] ?? 0);
  const headers = new Map<string, string>();
  for (const line of lines) {
    const colon = line.indexOf(":");
    if (colon > 0) {
      headers.set(
        line.slice(0, colon).trim().toLowerCase(),
        line.slice(colon + 1).trim(),
      );
    }
  }
  return { status, headers, body: end < 0 ? "" : text.slice(end + 4) };
}

function byteLength(text: string): number {
  return new TextEncoder().encode(text).length;
}
