/**
 * Security end to end, over a real proxy in this process and real
 * simulated models: client keys never reach an upstream or a log line,
 * scoped keys stay within their models, `/upstream` cannot leave its
 * model, and oversized bodies and headers are refused.
 */
import assert from "node:assert/strict";
import {
  chat,
  type Harness,
  rawRequest,
  simulateCommand,
  startHarness,
} from "../bench/mod.ts";

const FULL_KEY = "sk-full-0123456789abcdef";
const SCOPED_KEY = "sk-scoped-fedcba9876543210";
const WRONG_KEY = "sk-wrong-5555555555555555";

/**
 * Model `a` and model `echo`, whose base URL is the simulator's echo
 * route, so every request it gets comes back with the headers it had.
 */
function securityConfig(): string {
  return [
    "logLevel: debug",
    "requestBodyLimitMB: 1",
    "apiKeys:",
    `  - ${FULL_KEY}`,
    `  - key: ${SCOPED_KEY}`,
    "    models: [a]",
    "models:",
    "  a:",
    `    cmd: ${simulateCommand("--model a")}`,
    "    proxy: http://127.0.0.1:${PORT}",
    "  echo:",
    `    cmd: ${simulateCommand("--model echo")}`,
    "    proxy: http://127.0.0.1:${PORT}/debug/echo",
    "groups:",
    "  all:",
    "    swap: false",
    "    members: [a, echo]",
    "",
  ].join("\n");
}

const bearer = (key: string): Record<string, string> => ({
  Authorization: `Bearer ${key}`,
});

/** Every log the proxy keeps: its own, the combined view, each model's. */
function allLogs(proxy: Harness): string {
  const logs = proxy.server.logs;
  const buffers = [logs.proxy, logs.upstream, logs.combined];
  for (const model of ["a", "echo"]) {
    const buffer = logs.existingModel(model);
    if (buffer) buffers.push(buffer);
  }
  const decoder = new TextDecoder();
  return buffers.map((b) => decoder.decode(b.history())).join("\n");
}

/** The headers the echo route says it received. */
function echoedHeaders(text: string): Record<string, string> {
  const body = JSON.parse(text) as { headers?: Record<string, string> };
  assert.ok(body.headers, `not an echo: ${text.slice(0, 200)}`);
  return body.headers;
}

Deno.test("client API keys reach neither an upstream nor any log line", async () => {
  await using proxy = await startHarness({ configText: securityConfig() });
  const basic = `Basic ${btoa(`me:${FULL_KEY}`)}`;

  const viaChat = await chat(proxy.url, "echo", { headers: bearer(FULL_KEY) });
  const viaBasic = await chat(proxy.url, "echo", {
    headers: { Authorization: basic, "x-api-key": FULL_KEY },
  });
  const viaUpstream = await fetch(`${proxy.url}/upstream/echo/anything`, {
    headers: { "x-api-key": FULL_KEY },
  });
  const upstreamText = await viaUpstream.text();
  const refused = await chat(proxy.url, "a", { headers: bearer(WRONG_KEY) });
  const forbidden = await chat(proxy.url, "echo", {
    headers: bearer(SCOPED_KEY),
  });

  for (const text of [viaChat.text, viaBasic.text, upstreamText]) {
    const headers = echoedHeaders(text);
    assert.equal(headers["authorization"], undefined);
    assert.equal(headers["x-api-key"], undefined);
    assert.ok(!JSON.stringify(headers).includes("sk-"), text);
  }
  assert.equal(refused.status, 401);
  assert.equal(forbidden.status, 403);
  const logs = allLogs(proxy);
  assert.match(logs, /status=401/);
  for (const key of [FULL_KEY, SCOPED_KEY, WRONG_KEY, btoa(`me:${FULL_KEY}`)]) {
    assert.ok(!logs.includes(key), `a log line holds "${key}"`);
  }
});

Deno.test("a scoped key reaches its models but not others or the admin routes", async () => {
  await using proxy = await startHarness({ configText: securityConfig() });
  const scoped = bearer(SCOPED_KEY);
  const status = async (path: string, method = "GET", key = scoped) => {
    const response = await fetch(`${proxy.url}${path}`, {
      method,
      headers: key,
    });
    await response.body?.cancel();
    return response.status;
  };

  const own = await chat(proxy.url, "a", { headers: scoped });
  const other = await chat(proxy.url, "echo", { headers: scoped });
  const otherUpstream = await status("/upstream/echo/x");
  const admin = {
    running: await status("/running"),
    unload: await status("/unload"),
    unloadApi: await status("/api/models/unload", "POST"),
    metrics: await status("/metrics"),
    version: await status("/api/version"),
  };
  const fullKeyRunning = await status("/running", "GET", bearer(FULL_KEY));
  const noKey = await status("/running", "GET", {});

  assert.equal(own.status, 200);
  assert.equal(other.status, 403);
  assert.match(other.text, /may not use model \\"echo\\"/);
  assert.equal(otherUpstream, 403);
  assert.deepEqual(admin, {
    running: 403,
    unload: 403,
    unloadApi: 403,
    metrics: 403,
    version: 403,
  });
  assert.equal(fullKeyRunning, 200);
  assert.equal(noKey, 401);
});

Deno.test("/upstream redirects plain dot segments to the cleaned path and refuses encoded ones", async () => {
  await using proxy = await startHarness({ configText: securityConfig() });
  const port = Number(new URL(proxy.url).port);
  const redirected: [string, string][] = [
    ["/upstream/a/../echo/x", "/upstream/echo/x"],
    ["/upstream/a/./x", "/upstream/a/x"],
    ["/upstream/a//..//echo", "/upstream/echo"],
    // A raw backslash is encoded: a browser would follow /\evil.com off-site.
    ["//\\evil.com", "/%5Cevil.com"],
    ["/./\\evil.com/x", "/%5Cevil.com/x"],
  ];
  for (const [path, clean] of redirected) {
    const answer = await rawRequest(
      port,
      `GET ${path} HTTP/1.1\r\nHost: proxy.test\r\nAuthorization: Bearer ${FULL_KEY}`,
    );
    assert.equal(answer.status, 301, path);
    assert.equal(answer.headers.get("location"), clean, path);
  }
  const attempts = [
    "/upstream/a/%2e%2e/echo/x",
    "/upstream/a/%2E%2e/%2e%2E/x",
    "/upstream/a/.%2e/x",
    "/upstream/a/%5c..%5cecho",
    "/upstream/a/..%5cx",
  ];

  const answers = [];
  for (const path of attempts) {
    const answer = await rawRequest(
      port,
      `GET ${path} HTTP/1.1\r\nHost: proxy.test\r\nAuthorization: Bearer ${FULL_KEY}`,
    );
    answers.push(`${path} ${answer.status}`);
  }

  assert.deepEqual(answers, attempts.map((path) => `${path} 400`));
  assert.equal(proxy.loads(), 0, "a refused path started a model");
});

Deno.test("/upstream passes encoded slashes and dots inside a segment on under the model's base", async () => {
  await using proxy = await startHarness({ configText: securityConfig() });
  const port = Number(new URL(proxy.url).port);
  const paths = [
    "%2e%2e%2fa",
    "..%2f..%2fetc%2fpasswd",
    "x%2F..%2F..",
    "%2E%2E%2F",
  ];

  const seen = [];
  for (const path of paths) {
    const answer = await rawRequest(
      port,
      `GET /upstream/echo/${path} HTTP/1.1\r\nHost: proxy.test\r\nAuthorization: Bearer ${FULL_KEY}`,
    );
    assert.equal(answer.status, 200, `${path}: ${answer.body.slice(0, 200)}`);
    seen.push((JSON.parse(answer.body) as { path: string }).path);
  }

  assert.deepEqual(seen, paths.map((path) => `/debug/echo/${path}`));
});

Deno.test("a body over requestBodyLimitMB is refused with 413, sized or streamed", async () => {
  await using proxy = await startHarness({ configText: securityConfig() });
  const big = JSON.stringify({ model: "a", pad: "x".repeat(1024 * 1024) });
  const send = (body: BodyInit) =>
    fetch(`${proxy.url}/v1/chat/completions`, {
      method: "POST",
      headers: { ...bearer(FULL_KEY), "Content-Type": "application/json" },
      body,
    });

  const sized = await send(big);
  const sizedText = await sized.text();
  const streamed = await send(ReadableStream.from([
    new TextEncoder().encode(big.slice(0, 600_000)),
    new TextEncoder().encode(big.slice(600_000)),
  ]));
  const streamedText = await streamed.text();

  assert.equal(sized.status, 413);
  assert.match(JSON.parse(sizedText).error.message, /too large|limit/i);
  assert.equal(streamed.status, 413);
  assert.equal(typeof JSON.parse(streamedText).error.message, "string");
  assert.equal(proxy.loads(), 0);
});

Deno.test("Deno.serve refuses header sections over 64 KiB or 128 headers with 400 before the proxy sees them", async () => {
  await using proxy = await startHarness({ configText: securityConfig() });
  const port = Number(new URL(proxy.url).port);
  const head =
    `GET /running HTTP/1.1\r\nHost: proxy.test\r\nAuthorization: Bearer ${FULL_KEY}`;
  const many = Array.from({ length: 130 }, (_, i) => `X-Fill-${i}: v`);

  const fits = await rawRequest(
    port,
    `${head}\r\nX-Big: ${"a".repeat(60_000)}`,
  );
  const tooLong = await rawRequest(
    port,
    `${head}\r\nX-Big: ${"a".repeat(70_000)}`,
  );
  const tooMany = await rawRequest(port, `${head}\r\n${many.join("\r\n")}`);

  assert.equal(fits.status, 200);
  assert.equal(tooLong.status, 400);
  assert.equal(tooMany.status, 400);
  const accessLines = proxy.logText().split("\n")
    .filter((line) => line.includes("access: GET /running"));
  assert.equal(accessLines.length, 1, "a refused request reached the proxy");
});
