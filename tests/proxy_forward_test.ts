/**
 * Forwarding over real sockets: the proxy app served with `Deno.serve`,
 * the real global `fetch`, and a small upstream server that reports what
 * it received. Covers what an injected fetch cannot show: lengths on the
 * wire, raw request targets, compression and broken connections.
 */
import assert from "node:assert/strict";
import { LogBuffer, Logger } from "../log/mod.ts";
import {
  createProxyApp,
  Http1Pool,
  sendThrough,
  sendWithFetch,
} from "../proxy/mod.ts";
import {
  FakeProcess,
  FakeRouter,
  testConfig,
  testModel,
} from "./proxy_fakes.ts";

interface Received {
  readonly url: string;
  readonly headers: Headers;
  readonly body: string;
}

interface Rig extends AsyncDisposable {
  readonly proxyPort: number;
  readonly url: string;
  readonly received: Received[];
  readonly router: FakeRouter;
  /** What the upstream answers; receives the request it got. */
  respond: (request: Request) => Response | Promise<Response>;
}

function serve(handler: Deno.ServeHandler): Deno.HttpServer<Deno.NetAddr> {
  return Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, handler);
}

function startRig(
  modelOverrides: Parameters<typeof testModel>[1] = {},
): Rig {
  const received: Received[] = [];
  const rig = {
    respond: (_request: Request): Response | Promise<Response> =>
      new Response("ok"),
  };
  const upstream = serve(async (request) => {
    received.push({
      url: request.url,
      headers: request.headers,
      body: await request.text(),
    });
    return await rig.respond(request);
  });

  const config = testConfig([
    testModel("m1", {
      proxy: `http://127.0.0.1:${upstream.addr.port}`,
      ...modelOverrides,
    }),
  ]);
  const router = new FakeRouter();
  const processes = new Map([["m1", new FakeProcess("m1", "ready")]]);
  // The upstream client the server uses (fetch would not send a Host).
  const pool = new Http1Pool();
  const app = createProxyApp({
    current: () => ({ config, router, processes }),
    logger: new Logger(new LogBuffer()),
    version: { version: "t", commit: "t", buildDate: "t" },
    send: sendThrough(pool, sendWithFetch(fetch)),
  });
  const proxy = serve((request, info) =>
    app.fetch(request, { remoteAddr: info.remoteAddr })
  );

  return Object.assign(rig, {
    proxyPort: proxy.addr.port,
    url: `http://127.0.0.1:${proxy.addr.port}`,
    received,
    router,
    async [Symbol.asyncDispose]() {
      await proxy.shutdown();
      pool.close();
      await upstream.shutdown();
    },
  });
}

/** Sends a request line exactly as written and returns the raw answer. */
async function rawRequest(port: number, target: string): Promise<string> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    const request = `GET ${target} HTTP/1.1\r\nHost: proxy.test\r\n` +
      "Connection: close\r\n\r\n";
    await conn.write(new TextEncoder().encode(request));
    return await new Response(conn.readable).text();
  } catch (error) {
    conn.close();
    throw error;
  }
}

Deno.test("a filtered body reaches the upstream with its new Content-Length and no chunking", async () => {
  await using rig = startRig({ useModelName: "a-much-longer-model-name" });

  const res = await fetch(`${rig.url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('{"model":"m1"}'));
        controller.close();
      },
    }),
  });
  await res.text();

  const got = rig.received[0]!;
  assert.equal(got.body, '{"model":"a-much-longer-model-name"}');
  assert.equal(got.headers.get("content-length"), String(got.body.length));
  assert.equal(got.headers.get("transfer-encoding"), null);
  assert.equal(got.headers.get("accept-encoding"), "identity");
});

Deno.test("the upstream sees the client's Host as it was written, and the client in X-Forwarded headers", async () => {
  await using rig = startRig();

  const res = await fetch(`${rig.url}/upstream/m1/probe`, {
    headers: { authorization: "Bearer client-key" },
  });
  await res.text();

  const raw = await rawRequest(rig.proxyPort, "/upstream/m1/raw");

  const got = rig.received[0]!;
  assert.equal(new URL(got.url).pathname, "/probe");
  assert.equal(got.headers.get("host"), `127.0.0.1:${rig.proxyPort}`);
  assert.match(raw, /^HTTP\/1\.1 200/);
  assert.equal(rig.received[1]!.headers.get("host"), "proxy.test");
  assert.equal(got.headers.get("x-forwarded-for"), "127.0.0.1");
  assert.equal(
    got.headers.get("x-forwarded-host"),
    `127.0.0.1:${rig.proxyPort}`,
  );
  assert.equal(got.headers.get("x-forwarded-proto"), "http");
  assert.equal(got.headers.get("authorization"), null);
});

Deno.test("X-Forwarded-For gets the socket's address appended, not its own first entry", async () => {
  await using rig = startRig();

  const res = await fetch(`${rig.url}/upstream/m1/probe`, {
    headers: { "x-forwarded-for": "203.0.113.9" },
  });
  await res.text();

  assert.equal(
    rig.received[0]!.headers.get("x-forwarded-for"),
    "203.0.113.9, 127.0.0.1",
  );
});

Deno.test("/upstream refuses encoded paths that climb out of the model with 400, and redirects plain ones", async () => {
  await using rig = startRig();

  for (
    const target of [
      "/upstream/m1/%2e%2e/admin",
      "/upstream/m1/v1/%2E%2E/%2E%2E/x",
    ]
  ) {
    const answer = await rawRequest(rig.proxyPort, target);

    assert.match(answer, /^HTTP\/1\.1 400/, target);
    assert.match(answer, /invalid upstream path/);
  }
  const plain = await rawRequest(rig.proxyPort, "/upstream/m1/../../admin");
  assert.match(plain, /^HTTP\/1\.1 301/);
  assert.match(plain, /\r\nlocation: \/admin\r\n/i);
  assert.equal(rig.received.length, 0);
});

Deno.test("/upstream keeps percent-encoding on the wire", async () => {
  await using rig = startRig();

  const answer = await rawRequest(
    rig.proxyPort,
    "/upstream/m1/api/userdata/workflows%2Fexample.json%E2%9C%93?preview=1%2F",
  );

  assert.match(answer, /^HTTP\/1\.1 200/);
  const url = rig.received[0]!.url;
  assert.ok(
    url.endsWith(
      "/api/userdata/workflows%2Fexample.json%E2%9C%93?preview=1%2F",
    ),
    url,
  );
});

Deno.test("a compressed upstream answer reaches the client with matching headers", async () => {
  await using rig = startRig();
  const plain = "hello ".repeat(50);
  const gzipped = new Uint8Array(
    await new Response(
      new Blob([plain]).stream().pipeThrough(new CompressionStream("gzip")),
    ).arrayBuffer(),
  );
  rig.respond = () =>
    new Response(gzipped, {
      headers: { "content-encoding": "gzip", "content-type": "text/plain" },
    });

  const res = await fetch(`${rig.url}/upstream/m1/file.txt`);

  assert.equal(res.headers.get("content-encoding"), "gzip");
  assert.equal(await res.text(), plain);
});

/**
 * An upstream that answers one request with the start of an SSE stream and
 * then drops the connection, like a model process that crashed.
 */
async function crashingUpstream(listener: Deno.Listener): Promise<void> {
  const conn = await listener.accept();
  const reader = conn.readable.getReader();
  let seen = "";
  while (!seen.endsWith('"stream":true}')) {
    const { value, done } = await reader.read();
    if (done) break;
    seen += new TextDecoder().decode(value);
  }
  reader.releaseLock();
  const head = "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n" +
    "transfer-encoding: chunked\r\n\r\n";
  const chunk = "data: first\n\n";
  const partial = `${head}${chunk.length.toString(16)}\r\n${chunk}\r\n`;
  await conn.write(new TextEncoder().encode(partial));
  conn.close();
}

Deno.test("a model crashing mid-stream breaks the client's response and releases the lease", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  await using rig = startRig({ proxy: `http://127.0.0.1:${port}` });
  const upstream = crashingUpstream(listener);

  const res = await fetch(`${rig.url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: '{"model":"m1","stream":true}',
  });
  const reader = res.body!.getReader();
  const first = await reader.read();
  const rest = await reader.read().then(
    (result) => result.done ? "ended cleanly" : "more data",
    () => "broken",
  );
  await upstream;
  listener.close();

  assert.equal(new TextDecoder().decode(first.value), "data: first\n\n");
  assert.equal(rest, "broken");
  assert.equal(rig.router.releases, 1);
});

/**
 * Accepts one connection, reads the request (up to the end of `body`),
 * writes `answer` as it is and closes.
 */
async function scriptedUpstream(
  listener: Deno.Listener,
  body: string,
  answer: string,
): Promise<void> {
  const conn = await listener.accept();
  const reader = conn.readable.getReader();
  let seen = "";
  while (!seen.endsWith(body)) {
    const { value, done } = await reader.read();
    if (done) break;
    seen += new TextDecoder().decode(value);
  }
  reader.releaseLock();
  await conn.write(new TextEncoder().encode(answer));
  conn.close();
}

Deno.test("an upstream status no response can carry gets 502 and releases the lease", async () => {
  const body = '{"model":"m1","stream":true}';
  const sse = "transfer-encoding: chunked\r\ncontent-type: text/event-stream";
  for (
    const [head, message] of [
      ["HTTP/1.1 600 Odd", /answered with status 600, which cannot be relayed/],
      ["HTTP/1.1 101 Switching Protocols", /switched protocols/],
    ] as const
  ) {
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const port = (listener.addr as Deno.NetAddr).port;
    await using rig = startRig({ proxy: `http://127.0.0.1:${port}` });
    const upstream = scriptedUpstream(
      listener,
      body,
      `${head}\r\n${sse}\r\n\r\n5\r\ndata:\r\n`,
    );

    const res = await fetch(`${rig.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body,
    });
    const text = await res.text();
    await upstream;
    listener.close();

    assert.equal(res.status, 502, head);
    assert.match(text, message);
    assert.equal(rig.router.releases, 1, head);
  }
});

Deno.test("an upstream reason phrase with control characters is not passed on", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  await using rig = startRig({ proxy: `http://127.0.0.1:${port}` });
  const body = '{"model":"m1","stream":true}';
  const upstream = scriptedUpstream(
    listener,
    body,
    "HTTP/1.1 200 O\x01K\r\ntransfer-encoding: chunked\r\n" +
      "content-type: text/event-stream\r\n\r\nd\r\ndata: first\n\n\r\n0\r\n\r\n",
  );

  const res = await fetch(`${rig.url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body,
  });
  const text = await res.text();
  await upstream;
  listener.close();

  assert.equal(res.status, 200);
  assert.equal(res.statusText, "OK");
  assert.equal(text, "data: first\n\n");
  assert.equal(rig.router.releases, 1);
});
