/**
 * A real `main.ts` whose file descriptors run out (each open connection
 * holds one): its listener fails, and it listens again instead of dying.
 */
import assert from "node:assert/strict";
import {
  MAIN,
  simulatedModel,
  startMain,
  stopMain,
} from "./ship_main_child.ts";
import { tempDir } from "./temp_dir.ts";

/** Open files the child may have: a few dozen connections use them up. */
const FILE_LIMIT = 96;

/** Connects and sends a request, keeping the connection; null if refused. */
async function hold(port: number): Promise<Deno.TcpConn | null> {
  try {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port });
    await conn.write(
      new TextEncoder().encode("GET /health HTTP/1.1\r\nHost: x\r\n\r\n"),
    );
    return conn;
  } catch {
    return null;
  }
}

Deno.test("the proxy listens again after running out of file descriptors", async () => {
  await using dir = await tempDir();
  const config = `${dir.path}/config.yaml`;
  await Deno.writeTextFile(config, `models:\n${simulatedModel("m1")}`);
  const main = await startMain(
    ["--config", config, "--data-dir", `${dir.path}/data`],
    [
      "bash",
      "-c",
      `ulimit -n ${FILE_LIMIT} && exec "$0" run --allow-all "${MAIN}" "$@"`,
      Deno.execPath(),
    ],
  );
  try {
    const port = Number(new URL(main.url).port);
    const held: Deno.TcpConn[] = [];
    for (let i = 0; i < FILE_LIMIT * 2; i++) {
      const conn = await hold(port);
      if (conn) held.push(conn);
    }
    await main.waitForLine(/stopped accepting connections/);
    for (const conn of held) conn.close();
    await main.waitForLine(/listening again/);

    const health = await fetch(`${main.url}/health`);

    assert.equal(health.status, 200);
    assert.equal(await health.text(), "OK");
  } finally {
    await stopMain(main);
  }
  // It still stops as it should, both servers drained.
  assert.equal((await main.status).code, 0);
});
