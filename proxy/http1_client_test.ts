import assert from "node:assert/strict";
import { settlesWithin, systemClock } from "../lib/mod.ts";
import { FakeClock } from "../tests/fake_clock.ts";
import {
  DEFAULT_MAX_IDLE,
  Http1Pool,
  isLoopbackUrl,
  MAX_HEAD_BYTES,
  proxyEnvironment,
  sendThrough,
} from "./http1_client.ts";
import { startTlsServer, TEST_CA_CERT } from "../tests/tls_server.ts";
import type { UpstreamInit, UpstreamSend } from "./upstream_response.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** One request as a raw test server read it. */
interface RawRequest {
  /** Which connection (0, 1, ...) and which request on it (0, 1, ...). */
  readonly connection: number;
  readonly index: number;
  readonly head: string;
  readonly body: string;
}

/**
 * A TCP server that reads each request (head and `Content-Length` body)
 * and lets `answer` write whatever bytes it likes back; the connection
 * stays open for the next request unless `answer` returns "close".
 */
function rawServer(
  answer: (
    request: RawRequest,
    write: (text: string | Uint8Array) => Promise<void>,
  ) => Promise<"close" | void>,
) {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const requests: RawRequest[] = [];
  const connections: Promise<void>[] = [];
  const open = new Set<Deno.Conn>();
  const closed = Promise.withResolvers<void>();
  let count = 0;
  const serveConnection = async (conn: Deno.Conn, connection: number) => {
    open.add(conn);
    const write = async (text: string | Uint8Array) => {
      const bytes = typeof text === "string" ? encoder.encode(text) : text;
      let written = 0;
      while (written < bytes.byteLength) {
        written += await conn.write(bytes.subarray(written));
      }
    };
    let pending = new Uint8Array(0);
    const more = async () => {
      const buffer = new Uint8Array(65536);
      const n = await conn.read(buffer);
      if (n === null) return false;
      const joined = new Uint8Array(pending.byteLength + n);
      joined.set(pending);
      joined.set(buffer.subarray(0, n), pending.byteLength);
      pending = joined;
      return true;
    };
    try {
      for (let index = 0;; index++) {
        let end = -1;
        while ((end = decoder.decode(pending).indexOf("\r\n\r\n")) < 0) {
          if (!(await more())) return;
        }
        const head = decoder.decode(pending.subarray(0, end));
        const length = Number(/content-length: (\d+)/i.exec(head)?.[1] ?? 0);
        while (pending.byteLength < end + 4 + length) {
          if (!(await more())) return;
        }
        const body = decoder.decode(
          pending.subarray(end + 4, end + 4 + length),
        );
        pending = pending.slice(end + 4 + length);
        const request = { connection, index, head, body };
        requests.push(request);
        if (await answer(request, write) === "close") return;
      }
    } catch {
      // the client hung up
    } finally {
      open.delete(conn);
      try {
        conn.close();
      } catch {
        // closed already
      }
    }
  };
  const accepting = (async () => {
    for await (const conn of listener) {
      connections.push(serveConnection(conn, count++));
    }
    closed.resolve();
  })();
  return {
    url: `http://127.0.0.1:${listener.addr.port}`,
    requests,
    get connections() {
      return count;
    },
    async [Symbol.asyncDispose]() {
      listener.close();
      await accepting.catch(() => {});
      for (const conn of open) conn.close();
      await Promise.all(connections);
    },
  };
}

/** `Deno.connect`, remembering every connection it opened. */
function recordingDial() {
  const opened: Deno.TcpConn[] = [];
  const connect = async (at: { hostname: string; port: number }) => {
    const conn = await Deno.connect(at);
    opened.push(conn);
    return conn;
  };
  return { opened, connect };
}

function init(overrides: Partial<UpstreamInit> = {}): UpstreamInit {
  return {
    method: "GET",
    headers: [],
    body: null,
    signal: new AbortController().signal,
    ...overrides,
  };
}

const ok = (body: string, extra = "") =>
  `HTTP/1.1 200 OK\r\ncontent-length: ${
    encoder.encode(body).byteLength
  }\r\n${extra}\r\n${body}`;

async function text(
  pool: Http1Pool,
  url: string,
  options: Partial<UpstreamInit> = {},
) {
  const response = await pool.request(url, init(options));
  return decoder.decode(await response.bytes());
}

Deno.test("Http1Pool sends a Host header it is given instead of the URL's", async () => {
  await using server = rawServer(async (_request, write) => {
    await write(ok("done"));
  });
  const pool = new Http1Pool();
  try {
    const response = await pool.request(`${server.url}/x`, {
      ...init({}),
      headers: [["host", "proxy.example:8080"]],
    });
    await response.bytes();

    const lines = server.requests[0]!.head.split("\r\n");
    assert.deepEqual(lines.filter((line) => /^host:/i.test(line)), [
      "host: proxy.example:8080",
    ]);
  } finally {
    pool.close();
  }
});

Deno.test("Http1Pool sends the method, path, Host, headers and body as given", async () => {
  await using server = rawServer(async (_request, write) => {
    await write(ok("done"));
  });
  const pool = new Http1Pool();
  try {
    const body = encoder.encode('{"model":"a"}');
    const response = await pool.request(`${server.url}/v1/chat?x=%2F1`, {
      ...init({ method: "POST", body }),
      headers: [["content-type", "application/json"], ["x-trace", "7"]],
    });
    assert.equal(response.status, 200);
    assert.equal(response.statusText, "OK");
    assert.equal(decoder.decode(await response.bytes()), "done");

    const [request] = server.requests;
    const lines = request!.head.split("\r\n");
    assert.equal(lines[0], "POST /v1/chat?x=%2F1 HTTP/1.1");
    assert.ok(lines.includes(`host: ${server.url.slice(7)}`));
    assert.ok(lines.includes("content-type: application/json"));
    assert.ok(lines.includes("x-trace: 7"));
    assert.ok(lines.includes("content-length: 13"));
    assert.equal(request!.body, '{"model":"a"}');
  } finally {
    pool.close();
  }
});

Deno.test("Http1Pool sends Content-Length: 0 for an empty POST and none for a GET", async () => {
  await using server = rawServer(async (_request, write) => {
    await write(ok(""));
  });
  const pool = new Http1Pool();
  try {
    await text(pool, `${server.url}/a`, { method: "POST" });
    await text(pool, `${server.url}/b`);
    assert.match(server.requests[0]!.head, /content-length: 0/);
    assert.doesNotMatch(server.requests[1]!.head, /content-length/i);
    assert.match(server.requests[1]!.head, /^GET \/b HTTP\/1.1/);
  } finally {
    pool.close();
  }
});

Deno.test("Http1Pool reuses a connection once its answer is read and keeps it per upstream", async () => {
  await using server = rawServer(async (request, write) => {
    await write(ok(`answer ${request.index}`));
  });
  const pool = new Http1Pool();
  try {
    assert.equal(await text(pool, `${server.url}/`), "answer 0");
    assert.equal(pool.idleCount, 1);
    assert.equal(await text(pool, `${server.url}/`), "answer 1");
    assert.equal(server.connections, 1);

    // Two at once need two connections; both are kept afterwards.
    const [a, b] = await Promise.all([
      pool.request(`${server.url}/`, init()),
      pool.request(`${server.url}/`, init()),
    ]);
    await a.bytes();
    await b.bytes();
    assert.equal(server.connections, 2);
    assert.equal(pool.idleCount, 2);
  } finally {
    pool.close();
  }
  assert.equal(pool.idleCount, 0);
});

Deno.test("Http1Pool keeps every connection of a 300-request burst for the next burst", async () => {
  assert.ok(DEFAULT_MAX_IDLE >= 1000, "room for a 1,000-stream burst");
  await using server = rawServer(async (request, write) => {
    await write(ok(`answer ${request.index}`));
  });
  const burst = async (pool: Http1Pool, count: number) => {
    // Each request takes its connection before its first await, so all of
    // them are out before any answer could free one.
    const responses = await Promise.all(
      Array.from(
        { length: count },
        () => pool.request(`${server.url}/`, init()),
      ),
    );
    await Promise.all(responses.map((response) => response.bytes()));
  };
  const pool = new Http1Pool();
  try {
    await burst(pool, 300);
    assert.equal(server.connections, 300);
    assert.equal(pool.idleCount, 300);
    await burst(pool, 300);
    assert.equal(server.connections, 300, "the second burst dials none");
  } finally {
    pool.close();
  }
});

Deno.test("Http1Pool does not reuse a connection the upstream asked to close or an HTTP/1.0 one", async () => {
  await using server = rawServer(async (request, write) => {
    if (request.connection === 0) {
      await write(ok("bye", "connection: close\r\n"));
    } else {
      await write("HTTP/1.0 200 OK\r\ncontent-length: 3\r\n\r\nold");
    }
    return "close";
  });
  const { opened, connect } = recordingDial();
  const pool = new Http1Pool({ connect });
  try {
    assert.equal(await text(pool, `${server.url}/`), "bye");
    assert.equal(await text(pool, `${server.url}/`), "old");
    assert.equal(pool.idleCount, 0);
    assert.equal(server.connections, 2);
    for (const conn of opened) {
      assert.throws(() => conn.close(), Deno.errors.BadResource, "closed");
    }
  } finally {
    pool.close();
  }
});

Deno.test("Http1Pool sends again on a new connection when a kept one closes without answering", async () => {
  // The first connection answers once, then drops the next request as a
  // server whose keep-alive timeout passed just then would.
  await using server = rawServer(async (request, write) => {
    if (request.connection === 0 && request.index === 1) return "close";
    await write(ok(`answer ${request.connection}`));
  });
  const pool = new Http1Pool();
  try {
    assert.equal(await text(pool, `${server.url}/`), "answer 0");
    assert.equal(pool.idleCount, 1);
    assert.equal(await text(pool, `${server.url}/`), "answer 1");
    assert.equal(server.connections, 2);
    assert.equal(server.requests.length, 3);
  } finally {
    pool.close();
  }
});

Deno.test("Http1Pool does not send a POST again once the upstream had all of it, unless it has an idempotency key", async () => {
  // Each kept connection takes its second request whole, then closes
  // without answering: the upstream may have acted on it.
  await using server = rawServer(async (request, write) => {
    if (request.index === 1) return "close";
    await write(ok(`answer ${request.connection}`));
  });
  const pool = new Http1Pool();
  const post = (headers: [string, string][] = []) =>
    text(pool, `${server.url}/`, {
      method: "POST",
      headers,
      body: encoder.encode("generate"),
    });
  try {
    assert.equal(await post(), "answer 0");
    await assert.rejects(post(), /upstream closed the connection/);
    assert.equal(server.requests.length, 2, "the POST went out once");

    assert.equal(await post(), "answer 1");
    assert.equal(await post([["Idempotency-Key", "k1"]]), "answer 2");
    assert.equal(server.requests.length, 5, "the keyed POST went out twice");
  } finally {
    pool.close();
  }
});

Deno.test("Http1Pool hears an answer that comes before a large body is all written", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const server = (async () => {
    const conn = await listener.accept();
    let seen = "";
    const buffer = new Uint8Array(4096);
    while (!seen.includes("\r\n\r\n")) {
      const n = await conn.read(buffer);
      if (n === null) break;
      seen += decoder.decode(buffer.subarray(0, n));
    }
    // Refuses the upload from its head alone and reads no more of it: a
    // client that finishes writing first would wait for good.
    await conn.write(encoder.encode(
      "HTTP/1.1 413 Payload Too Large\r\ncontent-length: 8\r\n\r\ntoo big!",
    ));
    return conn;
  })();
  const pool = new Http1Pool();
  try {
    const { answer, settled } = await largeUpload(pool, listener.addr.port);
    assert.ok(settled, "the answer was not heard while the body was written");
    const response = await answer;

    assert.equal(response.status, 413);
    assert.equal(decoder.decode(await response.bytes()), "too big!");
    assert.equal(pool.idleCount, 0, "a connection still writing is not kept");
  } finally {
    pool.close();
    listener.close();
    (await server).close();
  }
});

Deno.test("Http1Pool fails at once on a broken answer that comes before a large body is all written", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const server = (async () => {
    const conn = await listener.accept();
    await conn.read(new Uint8Array(4096));
    await conn.write(encoder.encode("HTTP/1.1 abc\r\n\r\n"));
    return conn; // and reads no more
  })();
  const pool = new Http1Pool();
  try {
    const { answer, settled } = await largeUpload(pool, listener.addr.port);
    assert.ok(settled, "the broken answer waited for the write");
    await assert.rejects(answer, /malformed|status/i);
  } finally {
    pool.close();
    listener.close();
    (await server).close();
  }
});

Deno.test("Http1Pool notices at once that an upstream closed an idle connection", async () => {
  await using server = rawServer(async (_request, write) => {
    await write(ok("bye later"));
    return "close";
  });
  const gone = Promise.withResolvers<string>();
  const pool = new Http1Pool({ onIdleClosed: gone.resolve });
  try {
    assert.equal(await text(pool, `${server.url}/`), "bye later");
    assert.equal(await gone.promise, server.url.slice(7));
    assert.equal(pool.idleCount, 0);
    assert.equal(await text(pool, `${server.url}/`), "bye later");
    assert.equal(server.requests.length, 2, "nothing was sent twice");
  } finally {
    pool.close();
  }
});

Deno.test("Http1Pool passes chunked bodies on as the chunks arrive", async () => {
  const next = Promise.withResolvers<void>();
  await using server = rawServer(async (_request, write) => {
    await write(
      "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n" +
        "transfer-encoding: chunked\r\n\r\n",
    );
    await write("6;ext=1\r\ndata:1\r\n");
    await next.promise;
    await write("6\r\ndata:2\r\n0\r\ntrailer-x: y\r\n\r\n");
  });
  const pool = new Http1Pool();
  try {
    const response = await pool.request(`${server.url}/`, init());
    assert.equal(response.headers.get("content-type"), "text/event-stream");
    const reader = response.reader();
    assert.equal(decoder.decode((await reader.read())!), "data:1");
    next.resolve();
    assert.equal(decoder.decode((await reader.read())!), "data:2");
    assert.equal(await reader.read(), null);
    assert.equal(
      pool.idleCount,
      1,
      "the connection is kept after the last chunk",
    );
  } finally {
    pool.close();
  }
});

Deno.test("Http1Pool decodes chunk framing split anywhere across reads", async () => {
  const body =
    "4\r\nWiki\r\n5\r\npedia\r\nE\r\n in\r\n\r\nchunks.\r\n0\r\n\r\n";
  await using server = rawServer(async (_request, write) => {
    await write("HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n");
    for (const char of body) await write(char);
  });
  const pool = new Http1Pool();
  try {
    assert.equal(
      await text(pool, `${server.url}/`),
      "Wikipedia in\r\n\r\nchunks.",
    );
  } finally {
    pool.close();
  }
});

Deno.test("Http1Pool reads a body without length until the upstream closes", async () => {
  await using server = rawServer(async (_request, write) => {
    await write(
      "HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\n\r\npart one, ",
    );
    await write("part two");
    return "close";
  });
  const pool = new Http1Pool();
  try {
    assert.equal(await text(pool, `${server.url}/`), "part one, part two");
    assert.equal(pool.idleCount, 0);
  } finally {
    pool.close();
  }
});

Deno.test("Http1Pool reads a long Content-Length body split over many reads", async () => {
  const big = "x".repeat(200_000);
  await using server = rawServer(async (_request, write) => {
    await write(`HTTP/1.1 200 OK\r\ncontent-length: ${big.length}\r\n\r\n`);
    for (let at = 0; at < big.length; at += 7_000) {
      await write(big.slice(at, at + 7_000));
    }
  });
  const pool = new Http1Pool();
  try {
    assert.equal(await text(pool, `${server.url}/`), big);
    const response = await pool.request(`${server.url}/`, init());
    const reader = response.reader();
    let got = 0;
    for (let chunk = await reader.read(); chunk; chunk = await reader.read()) {
      got += chunk.byteLength;
    }
    assert.equal(got, big.length);
    assert.equal(server.connections, 1);
  } finally {
    pool.close();
  }
});

Deno.test("Http1Pool skips interim 1xx answers and reads no body for HEAD, 204 and 304", async () => {
  await using server = rawServer(async (request, write) => {
    if (request.index === 0) {
      await write("HTTP/1.1 103 Early Hints\r\nlink: </a>\r\n\r\n");
      await write(ok("after hints"));
    } else if (request.index === 1) {
      await write("HTTP/1.1 200 OK\r\ncontent-length: 99\r\n\r\n");
    } else if (request.index === 2) {
      await write("HTTP/1.1 204 No Content\r\n\r\n");
    } else {
      await write("HTTP/1.1 304 Not Modified\r\ncontent-length: 5\r\n\r\n");
    }
  });
  const pool = new Http1Pool();
  try {
    assert.equal(await text(pool, `${server.url}/`), "after hints");
    const head = await pool.request(`${server.url}/`, init({ method: "HEAD" }));
    assert.equal(head.hasBody, false);
    assert.equal(head.headers.get("content-length"), "99");
    const empty = await pool.request(`${server.url}/`, init());
    assert.equal(empty.status, 204);
    assert.equal(empty.hasBody, false);
    const same = await pool.request(`${server.url}/`, init());
    assert.equal(same.status, 304);
    assert.equal((await same.bytes()).byteLength, 0);
    assert.equal(server.connections, 1, "all four on one connection");
  } finally {
    pool.close();
  }
});

Deno.test("Http1Pool drops a Content-Length sent next to chunked framing and does not reuse the connection", async () => {
  await using server = rawServer(async (_request, write) => {
    await write(
      "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\ncontent-length: 3\r\n" +
        "\r\n6\r\nchunky\r\n0\r\n\r\n",
    );
  });
  const pool = new Http1Pool();
  try {
    const response = await pool.request(`${server.url}/`, init());

    assert.equal(response.headers.get("content-length"), null);
    assert.equal(decoder.decode(await response.bytes()), "chunky");
    assert.equal(pool.idleCount, 0);
  } finally {
    pool.close();
  }
});

Deno.test("Http1Pool keeps repeated response headers", async () => {
  await using server = rawServer(async (_request, write) => {
    await write(
      ok("", "Set-Cookie: a=1\r\nset-cookie: b=2\r\nX-Many:  one \r\n"),
    );
  });
  const pool = new Http1Pool();
  try {
    const response = await pool.request(`${server.url}/`, init());
    assert.deepEqual(response.headers.getSetCookie(), ["a=1", "b=2"]);
    assert.equal(response.headers.get("x-many"), "one");
  } finally {
    pool.close();
  }
});

Deno.test("Http1Pool rejects broken answers with a message that says what was wrong", async () => {
  const answers = [
    ["SPDY/3 200 OK\r\n\r\n", /malformed status line/],
    ["HTTP/1.1 200 OK\r\nno colon here\r\n\r\n", /malformed header line/],
    [
      "HTTP/1.1 200 OK\r\ncontent-length: 5, 6\r\n\r\n",
      /invalid Content-Length/,
    ],
    ["HTTP/1.1 200 OK\r\ncontent-length: -1\r\n\r\n", /invalid Content-Length/],
    ["HTTP/1.1 200 OK\r\nx-a", /closed the connection mid-header/],
    ["", /closed the connection without answering/],
  ] as const;
  let at = 0;
  await using server = rawServer(async (_request, write) => {
    await write(answers[at++]![0]);
    return "close";
  });
  const pool = new Http1Pool();
  try {
    for (const [, message] of answers) {
      await assert.rejects(pool.request(`${server.url}/`, init()), message);
    }
    assert.equal(pool.idleCount, 0);
  } finally {
    pool.close();
  }
});

Deno.test("Http1Pool refuses a response head over the limit", async () => {
  await using server = rawServer(async (_request, write) => {
    await write(
      `HTTP/1.1 200 OK\r\nx-big: ${"a".repeat(MAX_HEAD_BYTES)}\r\n\r\n`,
    );
    return "close";
  });
  const pool = new Http1Pool();
  try {
    await assert.rejects(
      pool.request(`${server.url}/`, init()),
      /response head is over 65536 bytes/,
    );
  } finally {
    pool.close();
  }
});

Deno.test("Http1Pool fails a body cut short and a broken chunk frame", async () => {
  await using server = rawServer(async (request, write) => {
    if (request.connection === 0) {
      await write("HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\nshort");
    } else {
      await write(
        "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\nzz\r\n",
      );
    }
    return "close";
  });
  const pool = new Http1Pool();
  try {
    const short = await pool.request(`${server.url}/`, init());
    await assert.rejects(short.bytes(), /ended 5 bytes early/);
    const broken = await pool.request(`${server.url}/`, init());
    await assert.rejects(broken.reader().read(), /malformed chunked body/);
    assert.equal(pool.idleCount, 0);
  } finally {
    pool.close();
  }
});

Deno.test("Http1Pool says when the upstream cannot be reached", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = listener.addr.port;
  listener.close();
  const pool = new Http1Pool();
  await assert.rejects(
    pool.request(`http://127.0.0.1:${port}/`, init()),
    new RegExp(`cannot connect to 127.0.0.1:${port}`),
  );
});

Deno.test("Http1Pool aborts while waiting for the answer and closes the connection", async () => {
  const arrived = Promise.withResolvers<void>();
  const hungUp = Promise.withResolvers<void>();
  await using server = rawServer(async () => {
    arrived.resolve();
    await hungUp.promise;
  });
  const pool = new Http1Pool();
  try {
    const client = new AbortController();
    const pending = pool.request(
      `${server.url}/`,
      init({ signal: client.signal }),
    );
    await arrived.promise;
    client.abort(new Error("client went away"));
    await assert.rejects(pending, /client went away/);
    hungUp.resolve();
    assert.equal(pool.idleCount, 0);
  } finally {
    pool.close();
  }
});

Deno.test("Http1Pool breaks off a body when the signal aborts or the reader cancels", async () => {
  const ended = [Promise.withResolvers<void>(), Promise.withResolvers<void>()];
  await using server = rawServer(async (request, write) => {
    await write(
      "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n3\r\none\r\n",
    );
    // The next write fails or reads EOF once the client has closed.
    const conn = ended[request.connection]!;
    await conn.promise;
    return "close";
  });
  const pool = new Http1Pool();
  try {
    const client = new AbortController();
    const first = await pool.request(
      `${server.url}/`,
      init({ signal: client.signal }),
    );
    const reader = first.reader();
    assert.equal(decoder.decode((await reader.read())!), "one");
    const waiting = reader.read();
    client.abort(new Error("left mid-stream"));
    await assert.rejects(waiting, /left mid-stream/);
    ended[0]!.resolve();

    const second = await pool.request(`${server.url}/`, init());
    const secondReader = second.reader();
    assert.equal(decoder.decode((await secondReader.read())!), "one");
    await secondReader.cancel();
    assert.equal(await secondReader.read(), null);
    ended[1]!.resolve();
    assert.equal(pool.idleCount, 0);
    assert.equal(server.connections, 2);
  } finally {
    pool.close();
  }
});

Deno.test("Http1Pool refuses header values that would break the request head", async () => {
  const pool = new Http1Pool();
  await assert.rejects(
    pool.request("http://127.0.0.1:9/", {
      ...init(),
      headers: [["x-key", "a\r\nx-evil: 1"]],
    }),
    /line break/,
  );
  await assert.rejects(
    pool.request("http://127.0.0.1:9/", {
      ...init(),
      headers: [["x-key", "€"]],
    }),
    /beyond Latin-1/,
  );
});

Deno.test("Http1Pool.handles() takes http and https URLs without credentials", () => {
  assert.equal(Http1Pool.handles("http://127.0.0.1:8080/v1/models"), true);
  assert.equal(Http1Pool.handles("http://[::1]:8080"), true);
  assert.equal(Http1Pool.handles("https://api.example.com/v1"), true);
  assert.equal(Http1Pool.handles("http://user:pw@host:1/"), false);
  assert.equal(Http1Pool.handles("https://user@host/"), false);
  assert.equal(Http1Pool.handles("http://host:1/a@b"), true);
  assert.equal(Http1Pool.handles("ws://host:1/"), false);
});

Deno.test("sendThrough() uses the pool, except for what it cannot do and proxied hosts off loopback", async () => {
  await using server = rawServer(async (_request, write) => {
    await write(ok("pooled"));
  });
  const pool = new Http1Pool();
  const others: string[] = [];
  const fallback: UpstreamSend = (url) => {
    others.push(url);
    return Promise.reject(new Error("not here"));
  };
  const direct = sendThrough(pool, fallback);
  const proxied = sendThrough(pool, fallback, { http: true, https: true });
  const elsewhere = [
    "https://user:pw@peer.example/v1",
    "http://peer.example/v1",
    "https://peer.example/v1",
    "http://10.0.0.7:8080/v1",
  ];
  try {
    for (const send of [direct, proxied]) {
      const response = await send(`${server.url}/x`, init());
      assert.equal(decoder.decode(await response.bytes()), "pooled");
    }
    await assert.rejects(direct(elsewhere[0]!, init()), /not here/);
    for (const url of elsewhere) {
      await assert.rejects(proxied(url, init()), /not here/);
    }
    assert.deepEqual(others, [elsewhere[0], ...elsewhere]);
  } finally {
    pool.close();
  }
});

Deno.test("isLoopbackUrl() knows localhost, 127.0.0.0/8 and ::1", () => {
  for (
    const url of [
      "http://localhost:8080/",
      "http://LOCALHOST/",
      "http://models.localhost/",
      "http://127.0.0.1:9/",
      "http://127.8.9.10/",
      "https://[::1]:8443/",
    ]
  ) {
    assert.equal(isLoopbackUrl(url), true, url);
  }
  for (
    const url of [
      "http://10.0.0.7/",
      "http://localhost.example/",
      "http://128.0.0.1/",
      "https://[::2]/",
    ]
  ) {
    assert.equal(isLoopbackUrl(url), false, url);
  }
});

Deno.test("proxyEnvironment() reads HTTP_PROXY and HTTPS_PROXY in either case", () => {
  const env = (vars: Record<string, string>) => ({
    get: (name: string) => vars[name],
  });
  assert.deepEqual(proxyEnvironment(env({})), { http: false, https: false });
  assert.deepEqual(proxyEnvironment(env({ HTTP_PROXY: "http://p:3128" })), {
    http: true,
    https: false,
  });
  assert.deepEqual(proxyEnvironment(env({ https_proxy: "http://p:3128" })), {
    http: false,
    https: true,
  });
  assert.deepEqual(proxyEnvironment(env({ HTTPS_PROXY: "", http_proxy: "" })), {
    http: false,
    https: false,
  });
});

Deno.test("Http1Pool talks to a Deno.serve upstream, an IPv6 address included", async () => {
  await using server = Deno.serve(
    {
      hostname: "::1",
      port: 0,
      onListen: () => {},
    },
    async (request) =>
      new Response(
        `${request.method} ${new URL(request.url).pathname} ${await request
          .text()}`,
      ),
  );
  const pool = new Http1Pool();
  try {
    const url = `http://[::1]:${server.addr.port}/echo`;
    const body = encoder.encode("hello");
    for (let i = 0; i < 3; i++) {
      const response = await pool.request(url, init({ method: "PUT", body }));
      assert.equal(decoder.decode(await response.bytes()), "PUT /echo hello");
    }
    assert.equal(pool.idleCount, 1);
  } finally {
    pool.close();
  }
});

Deno.test("Http1Pool gives up on a connection not made within connectTimeoutMs", async () => {
  const clock = new FakeClock();
  const dialled = Promise.withResolvers<void>();
  const never = Promise.withResolvers<Deno.TcpConn>();
  const pool = new Http1Pool({
    clock,
    connect: () => {
      dialled.resolve();
      return never.promise;
    },
  });
  const pending = pool.request(
    "http://10.1.2.3:8080/v1/models",
    init({ connectTimeoutMs: 30_000 }),
  );
  await dialled.promise;
  clock.tick(29_999);
  assert.equal(clock.pendingTimers, 1);
  clock.tick(1);
  await assert.rejects(
    pending,
    /cannot connect to 10\.1\.2\.3:8080: no connection within 30 s/,
  );
  assert.equal(clock.pendingTimers, 0);
});

Deno.test("Http1Pool waits for a slow connection without a timeout and cancels its timer once connected", async () => {
  await using server = rawServer(async (_request, write) => {
    await write(ok("late"));
  });
  const clock = new FakeClock();
  const pool = new Http1Pool({ clock });
  try {
    const response = await pool.request(
      `${server.url}/`,
      init({ connectTimeoutMs: 5_000 }),
    );
    assert.equal(clock.pendingTimers, 0, "the connect timer is cancelled");
    assert.equal(decoder.decode(await response.bytes()), "late");
  } finally {
    pool.close();
  }
});

Deno.test("Http1Pool closes idle connections once they have idled idleMs, and stops sweeping when none are left", async () => {
  await using server = rawServer(async (_request, write) => {
    await write(ok("x"));
  });
  const clock = new FakeClock();
  const pool = new Http1Pool({ idleMs: 1000, clock });
  try {
    await text(pool, `${server.url}/`);
    assert.equal(pool.idleCount, 1);
    assert.equal(clock.pendingTimers, 1, "a sweep is due");
    clock.tick(500);
    await text(pool, `${server.url}/`);
    assert.equal(server.connections, 1, "reused within idleMs");
    clock.tick(999);
    assert.equal(pool.idleCount, 1);
    clock.tick(1);
    assert.equal(pool.idleCount, 0);
    await text(pool, `${server.url}/`);
    assert.equal(server.connections, 2, "a new one after it was closed");
    clock.tick(1000);
    assert.equal(clock.pendingTimers, 0, "nothing left to sweep");
  } finally {
    pool.close();
  }
  assert.equal(clock.pendingTimers, 0);
});

Deno.test("Http1Pool keeps a connection as long as its request's idleConnMs says, and 0 for good", async () => {
  await using server = rawServer(async (_request, write) => {
    await write(ok("x"));
  });
  const clock = new FakeClock();
  const pool = new Http1Pool({ clock });
  try {
    await text(pool, `${server.url}/`, { idleConnMs: 500 });
    clock.tick(499);
    assert.equal(pool.idleCount, 1);
    clock.tick(1);
    assert.equal(pool.idleCount, 0);

    await text(pool, `${server.url}/`, { idleConnMs: 0 });
    assert.equal(clock.pendingTimers, 0, "no limit, no sweep");
    clock.tick(24 * 3600 * 1000);
    assert.equal(pool.idleCount, 1);
  } finally {
    pool.close();
  }
});

Deno.test("Http1Pool keeps at most maxIdlePerOrigin idle connections and closes the rest", async () => {
  await using server = rawServer(async (_request, write) => {
    await write(ok("x"));
  });
  const { opened, connect } = recordingDial();
  const pool = new Http1Pool({ maxIdlePerOrigin: 1, connect });
  try {
    const answers = await Promise.all([
      pool.request(`${server.url}/`, init()),
      pool.request(`${server.url}/`, init()),
    ]);
    for (const answer of answers) await answer.bytes();
    assert.equal(opened.length, 2);
    assert.equal(pool.idleCount, 1);
    const closed = opened.filter((conn) => {
      try {
        conn.close(); // the kept one is open: this closes it
        return false;
      } catch {
        return true;
      }
    });
    assert.equal(closed.length, 1, "the one not kept was closed");
  } finally {
    pool.close();
  }
});

Deno.test("Http1Pool speaks HTTP/1.1 over TLS to an https upstream and keeps the connection", async () => {
  await using server = startTlsServer(async (request) =>
    new Response(
      `${request.method} ${new URL(request.url).pathname} ${await request
        .text()} via ${request.headers.get("host")}`,
    )
  );
  const pool = new Http1Pool({ caCerts: [TEST_CA_CERT] });
  try {
    const body = encoder.encode("hello");
    for (let i = 0; i < 3; i++) {
      assert.equal(
        await text(pool, `${server.url}/echo`, { method: "POST", body }),
        `POST /echo hello via 127.0.0.1:${server.port}`,
      );
    }
    assert.equal(server.connections, 1, "one TLS connection for all three");
    assert.equal(pool.idleCount, 1);
    // The same host and port over plain http is another upstream.
    await assert.rejects(text(pool, `http://127.0.0.1:${server.port}/`));
    assert.equal(pool.idleCount, 1);
  } finally {
    pool.close();
  }
});

Deno.test("Http1Pool checks an https upstream's certificate against the URL's host", async () => {
  await using server = startTlsServer(() => new Response("secret"));
  const untrusting = new Http1Pool();
  // Trusts the issuer and dials the server whatever host the URL names.
  const trusting = new Http1Pool({
    caCerts: [TEST_CA_CERT],
    connect: (at) => Deno.connect({ hostname: "127.0.0.1", port: at.port }),
  });
  try {
    await assert.rejects(text(untrusting, `${server.url}/`), (error: Error) => {
      assert.match(
        error.message,
        new RegExp(
          `^TLS handshake with 127\\.0\\.0\\.1:${server.port} failed: .*UnknownIssuer`,
        ),
      );
      return true;
    });
    await assert.rejects(
      text(trusting, `https://elsewhere.test:${server.port}/`),
      /^Error: TLS handshake with elsewhere\.test:\d+ failed: .*not valid for name "elsewhere\.test"/,
    );
    for (const host of ["localhost", "127.0.0.1"]) {
      assert.equal(
        await text(trusting, `https://${host}:${server.port}/`),
        "secret",
      );
    }
    assert.equal(untrusting.idleCount, 0);
  } finally {
    untrusting.close();
    trusting.close();
  }
});

/**
 * A TCP server that accepts one connection and never says a word:
 * `hello()` resolves once the client's first bytes (a TLS hello) arrive.
 */
function silentServer() {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const accepted = listener.accept();
  return {
    port: listener.addr.port,
    async hello(): Promise<number> {
      return await (await accepted).read(new Uint8Array(4096)) ?? 0;
    },
    async [Symbol.asyncDispose]() {
      // Lets an abandoned TLS stream let go of its socket.
      (await accepted.catch(() => null))?.close();
      listener.close();
    },
  };
}

Deno.test("Http1Pool gives up on a TLS handshake not finished within tlsHandshakeMs", async () => {
  await using silent = silentServer();
  const clock = new FakeClock();
  const pool = new Http1Pool({ clock, caCerts: [TEST_CA_CERT] });
  try {
    const pending = pool.request(
      `https://127.0.0.1:${silent.port}/v1/models`,
      init({ tlsHandshakeMs: 10_000 }),
    );
    assert.ok(await silent.hello() > 0);
    assert.equal(clock.pendingTimers, 1, "the handshake's timer alone");
    clock.tick(9_999);
    clock.tick(1);
    await assert.rejects(
      pending,
      new RegExp(
        `^Error: TLS handshake with 127\\.0\\.0\\.1:${silent.port} failed: no TLS handshake within 10 s$`,
      ),
    );
    assert.equal(clock.pendingTimers, 0);
  } finally {
    pool.close();
  }
});

Deno.test("Http1Pool stops a TLS handshake when the signal aborts", async () => {
  await using silent = silentServer();
  const pool = new Http1Pool({ caCerts: [TEST_CA_CERT] });
  const client = new AbortController();
  try {
    const pending = pool.request(
      `https://127.0.0.1:${silent.port}/`,
      init({ signal: client.signal }),
    );
    assert.ok(await silent.hello() > 0);
    client.abort(new Error("client left"));
    await assert.rejects(pending, /^Error: client left$/);
  } finally {
    pool.close();
  }
});

/**
 * POSTs 32 MiB through `pool` to `/upload` on `port` and waits up to 10 s
 * for the request to settle (bounded, so a client that waits for its write
 * fails the test instead of hanging it); then aborts whatever is left.
 */
async function largeUpload(pool: Http1Pool, port: number) {
  const giveUp = new AbortController();
  const answer = pool.request(
    `http://127.0.0.1:${port}/upload`,
    init({
      method: "POST",
      body: new Uint8Array(32 * 1024 * 1024),
      signal: giveUp.signal,
    }),
  );
  answer.catch(() => {}); // the caller awaits it
  const settled = await settlesWithin(answer, 10_000, systemClock);
  giveUp.abort();
  return { answer, settled };
}
