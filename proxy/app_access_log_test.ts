import assert from "node:assert/strict";
import { LogBuffer, Logger } from "../log/mod.ts";
import { testConfig, testModel, testProxy } from "../tests/proxy_fakes.ts";
import { formatDuration } from "./access_log.ts";

const info = (ip: string) => ({
  remoteAddr: { transport: "tcp" as const, hostname: ip, port: 5000 },
});

Deno.test("the access log writes one line with client, method, path, status and bytes", async () => {
  const proxy = testProxy(testConfig([testModel("m1")]));
  proxy.upstream.respond = () => new Response("hello", { status: 201 });

  const res = await proxy.app.request(
    "/v1/chat/completions",
    {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "user-agent": "curl/8.5.0",
      },
      body: '{"model":"m1"}',
    },
    info("192.168.1.1"),
  );
  await res.text();

  const lines = proxy.logs.text().split("\n").filter((l) =>
    l.includes("access:")
  );
  assert.equal(lines.length, 1);
  assert.match(lines[0]!, /POST \/v1\/chat\/completions/);
  assert.match(lines[0]!, /status=201/);
  assert.match(lines[0]!, /bytes=5/);
  assert.match(lines[0]!, /ip=192\.168\.1\.1/);
  assert.match(lines[0]!, /model=m1/);
  assert.match(lines[0]!, /agent=curl\/8\.5\.0/);
});

Deno.test("the access log takes the client from X-Forwarded-For, then X-Real-IP", async () => {
  const proxy = testProxy(testConfig([]));
  const cases: Record<string, string>[] = [
    { "x-forwarded-for": "1.2.3.4, 5.6.7.8" },
    { "x-real-ip": "9.9.9.9" },
    {},
  ];

  for (const headers of cases) {
    const res = await proxy.app.request(
      "/api/version",
      { headers },
      info("10.0.0.5"),
    );
    await res.text();
  }

  const ips = proxy.logs.text().match(/ip=\S+/g);
  assert.deepEqual(ips, ["ip=1.2.3.4", "ip=9.9.9.9", "ip=10.0.0.5"]);
});

Deno.test("the access log skips wake-on-LAN health checks and metrics scrapes, not /health", async () => {
  const proxy = testProxy(testConfig([]));

  for (const path of ["/wol-health", "/metrics", "/api/performance"]) {
    await proxy.app.request(path);
  }
  assert.doesNotMatch(proxy.logs.text(), /access:/);

  await (await proxy.app.request("/health")).text();
  assert.match(proxy.logs.text(), /access: GET \/health status=200/);
});

Deno.test("formatDuration() reads like a human duration", () => {
  assert.equal(formatDuration(0.42), "0.4ms");
  assert.equal(formatDuration(215), "215ms");
  assert.equal(formatDuration(2310), "2.31s");
  assert.equal(formatDuration(95200), "95.2s");
});

Deno.test("the access log stays silent while the level hides info lines and resumes after a change", async () => {
  const logs = new LogBuffer();
  const logger = new Logger(logs, { level: "warn" });
  const proxy = testProxy(testConfig([testModel("m1")]), { logger });
  proxy.upstream.respond = () => new Response("hello");
  const send = async () => {
    const res = await proxy.app.request("/v1/chat/completions", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: '{"model":"m1"}',
    });
    return await res.text();
  };

  const quiet = await send();
  const linesWhileQuiet = logs.text();
  logger.configure({ level: "info" });
  await send();

  assert.equal(quiet, "hello");
  assert.doesNotMatch(linesWhileQuiet, /access:/);
  assert.match(
    logs.text(),
    /access: POST \/v1\/chat\/completions status=200 bytes=5/,
  );
});
