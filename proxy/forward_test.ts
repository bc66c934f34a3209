import assert from "node:assert/strict";
import { FakeClock } from "../tests/fake_clock.ts";
import type { HttpError } from "./errors.ts";
import { fromFetchResponse, type UpstreamSend } from "./upstream_response.ts";
import {
  downstreamHeaders,
  forward,
  upstreamHeaderList,
  upstreamHeaders,
} from "./forward.ts";

const LOCAL = {
  kind: "local" as const,
  clientIp: "10.0.0.5",
  host: "proxy.test:8080",
  proto: "http",
};

Deno.test("upstreamHeaders() drops hop-by-hop headers and those named in Connection", () => {
  const incoming = new Headers({
    connection: "keep-alive, X-Secret-Hop",
    "keep-alive": "timeout=5",
    "proxy-authorization": "Basic x",
    te: "trailers",
    trailer: "x",
    "transfer-encoding": "chunked",
    upgrade: "h2c",
    "x-secret-hop": "1",
    "x-kept": "yes",
  });

  const headers = upstreamHeaders(incoming, LOCAL, null);

  for (
    const name of [
      "connection",
      "keep-alive",
      "proxy-authorization",
      "te",
      "trailer",
      "transfer-encoding",
      "upgrade",
      "x-secret-hop",
    ]
  ) {
    assert.equal(headers.get(name), null, name);
  }
  assert.equal(headers.get("x-kept"), "yes");
});

Deno.test("upstreamHeaders() never forwards the client's API key to a local model", () => {
  const incoming = new Headers({
    authorization: "Bearer client-secret",
    "x-api-key": "client-secret",
    host: "proxy.test",
    "content-length": "99",
  });

  const headers = upstreamHeaders(incoming, LOCAL, null);

  assert.equal(headers.get("authorization"), null);
  assert.equal(headers.get("x-api-key"), null);
  assert.equal(headers.get("content-length"), null);
});

Deno.test("upstreamHeaders() gives a local model the client's Host and a peer none", () => {
  const incoming = new Headers({ host: "proxy.test:8080" });

  const local = upstreamHeaders(incoming, LOCAL, null);
  const peer = upstreamHeaders(incoming, { kind: "peer", apiKey: "" }, null);

  assert.equal(local.get("host"), "proxy.test:8080");
  assert.equal(peer.get("host"), null);
});

Deno.test("upstreamHeaders() appends the client to X-Forwarded-For for local models", () => {
  const incoming = new Headers({ "x-forwarded-for": "203.0.113.9" });

  const headers = upstreamHeaders(incoming, LOCAL, null);

  assert.equal(headers.get("x-forwarded-for"), "203.0.113.9, 10.0.0.5");
  assert.equal(headers.get("x-forwarded-host"), "proxy.test:8080");
  assert.equal(headers.get("x-forwarded-proto"), "http");
  assert.equal(headers.get("accept-encoding"), "identity");
});

Deno.test("upstreamHeaders() gives a peer its own key and no client identity", () => {
  const incoming = new Headers({
    authorization: "Bearer client-secret",
    "x-forwarded-for": "203.0.113.9",
    "accept-encoding": "gzip, br",
  });

  const headers = upstreamHeaders(incoming, {
    kind: "peer",
    apiKey: "peer-key",
  }, null);

  assert.equal(headers.get("authorization"), "Bearer peer-key");
  assert.equal(headers.get("x-api-key"), "peer-key");
  assert.equal(headers.get("x-forwarded-for"), null);
  assert.equal(headers.get("accept-encoding"), "identity");
});

Deno.test("upstreamHeaders() sends a peer without a key no credentials at all", () => {
  const incoming = new Headers({
    authorization: "Bearer client-secret",
    "x-api-key": "client-secret",
  });

  const headers = upstreamHeaders(incoming, { kind: "peer", apiKey: "" }, null);

  assert.equal(headers.get("authorization"), null);
  assert.equal(headers.get("x-api-key"), null);
});

Deno.test("upstreamHeaders() replaces the content type of a rebuilt form", () => {
  const incoming = new Headers({
    "content-type": "multipart/form-data; boundary=a",
  });

  const headers = upstreamHeaders(
    incoming,
    LOCAL,
    "multipart/form-data; boundary=b",
  );

  assert.equal(headers.get("content-type"), "multipart/form-data; boundary=b");
});

Deno.test("downstreamHeaders() marks event streams unbuffered and drops hop-by-hop headers", () => {
  const headers = downstreamHeaders(
    new Headers({
      "content-type": "text/event-stream",
      connection: "close",
      "transfer-encoding": "chunked",
      "x-request-id": "r1",
    }),
  );

  assert.equal(headers.get("x-accel-buffering"), "no");
  assert.equal(headers.get("connection"), null);
  assert.equal(headers.get("transfer-encoding"), null);
  assert.equal(headers.get("x-request-id"), "r1");
});

function options(overrides: Partial<Parameters<typeof forward>[1]> = {}) {
  return {
    url: "http://upstream.test/v1/x",
    method: "POST",
    headers: [],
    body: null,
    signal: new AbortController().signal,
    headerTimeoutMs: 0,
    connectTimeoutMs: 0,
    tlsHandshakeMs: 0,
    idleConnMs: 0,
    failurePrefix: "upstream connection failed",
    clock: new FakeClock(),
    ...overrides,
  };
}

Deno.test("forward() turns a connection failure into a 502", async () => {
  const refused: UpstreamSend = () =>
    Promise.reject(new TypeError("connection refused"));

  await assert.rejects(forward(refused, options()), (error: HttpError) => {
    assert.equal(error.status, 502);
    assert.equal(
      error.message,
      "upstream connection failed: connection refused",
    );
    return true;
  });
});

Deno.test("forward() hands the connect and TLS handshake timeouts to send()", async () => {
  const seen: (number | undefined)[] = [];
  const send: UpstreamSend = (_url, init) => {
    seen.push(init.connectTimeoutMs, init.tlsHandshakeMs);
    return Promise.reject(
      new Error("cannot connect to x: no connection within 30 s"),
    );
  };

  await assert.rejects(
    forward(
      send,
      options({ connectTimeoutMs: 30_000, tlsHandshakeMs: 10_000 }),
    ),
    (error: HttpError) => {
      assert.equal(error.status, 502);
      assert.match(error.message, /no connection within 30 s/);
      return true;
    },
  );
  assert.deepEqual(seen, [30_000, 10_000]);
});

Deno.test("forward() gives up with 504 when headers do not arrive in time", async () => {
  const clock = new FakeClock();
  const hanging: UpstreamSend = (_input, init) =>
    new Promise((_resolve, reject) => {
      init.signal.addEventListener("abort", () => reject(init.signal.reason));
    });

  const pending = forward(hanging, options({ clock, headerTimeoutMs: 60_000 }));
  clock.tick(60_000);

  await assert.rejects(pending, (error: HttpError) => {
    assert.equal(error.status, 504);
    assert.match(error.message, /no response headers within 60s/);
    return true;
  });
});

Deno.test("forward() passes the client's abort reason on and cancels its timer", async () => {
  const clock = new FakeClock();
  const client = new AbortController();
  const hanging: UpstreamSend = (_input, init) =>
    new Promise((_resolve, reject) => {
      init.signal.addEventListener("abort", () => reject(new Error("aborted")));
    });

  const pending = forward(
    hanging,
    options({ clock, signal: client.signal, headerTimeoutMs: 1000 }),
  );
  client.abort("client went away");

  await assert.rejects(pending, (reason) => reason === "client went away");
  assert.equal(clock.pendingTimers, 0);
});

Deno.test("forward() with a header timeout still cancels the body's read when the client leaves after the headers", async () => {
  const clock = new FakeClock();
  const client = new AbortController();
  let bodySignal: AbortSignal | null = null;
  const answering: UpstreamSend = (_input, init) => {
    bodySignal = init.signal;
    return Promise.resolve(fromFetchResponse(new Response("partial")));
  };

  const upstream = await forward(
    answering,
    options({ clock, signal: client.signal, headerTimeoutMs: 1000 }),
  );
  await upstream.cancel();
  client.abort("client went away");

  assert.equal(clock.pendingTimers, 0);
  assert.equal(bodySignal!.aborted, true);
  assert.equal(bodySignal!.reason, "client went away");
});

Deno.test("upstreamHeaderList() keeps X-Forwarded-For as it came when the client is unknown", () => {
  const incoming = new Headers({
    "x-forwarded-for": "203.0.113.9",
    "accept-encoding": "gzip",
    "content-type": "multipart/form-data; boundary=a",
  });

  const list = upstreamHeaderList(
    incoming,
    { ...LOCAL, clientIp: null },
    "multipart/form-data; boundary=b",
  );

  const names = list.map(([name]) => name);
  assert.equal(new Set(names).size, names.length, "each name once");
  const headers = new Headers(list);
  assert.equal(headers.get("x-forwarded-for"), "203.0.113.9");
  assert.equal(headers.get("accept-encoding"), "identity");
  assert.equal(headers.get("content-type"), "multipart/form-data; boundary=b");
});

Deno.test("upstreamHeaderList() drops an X-Forwarded-For that Connection names as hop-by-hop", () => {
  const incoming = new Headers({
    connection: "X-Forwarded-For",
    "x-forwarded-for": "203.0.113.9",
  });

  const headers = new Headers(upstreamHeaderList(incoming, LOCAL, null));

  assert.equal(headers.get("x-forwarded-for"), "10.0.0.5");
  assert.equal(headers.get("connection"), null);
});
