/**
 * `main.ts --tls-cert-file --tls-key-file` end to end: it serves HTTPS
 * with the given certificate, answers an OpenAI client over it, and on a
 * reload says that changed TLS files need a restart.
 */
import assert from "node:assert/strict";
import OpenAI from "openai";
import { simulatedModel, startMain, stopMain } from "./ship_main_child.ts";
import { TEST_CA_CERT, TEST_TLS_DIR } from "./tls_server.ts";

Deno.test("main.ts serves HTTPS with --tls-cert-file and --tls-key-file, and says changed files need a restart", async () => {
  const dir = await Deno.makeTempDir({ prefix: "llama-swap-tls-" });
  const cert = `${dir}/server.crt`;
  const key = `${dir}/server.key`;
  await Deno.copyFile(`${TEST_TLS_DIR}server.crt`, cert);
  await Deno.copyFile(`${TEST_TLS_DIR}server.key`, key);
  await Deno.writeTextFile(
    `${dir}/config.yaml`,
    `models:\n${simulatedModel("m", ["--tokens", "3"])}`,
  );
  const client = Deno.createHttpClient({ caCerts: [TEST_CA_CERT] });
  const main = await startMain([
    "--config",
    `${dir}/config.yaml`,
    "--data-dir",
    `${dir}/data`,
    "--tls-cert-file",
    cert,
    "--tls-key-file",
    key,
  ]);
  try {
    assert.match(main.url, /^https:\/\/127\.0\.0\.1:\d+$/);
    const health = await fetch(`${main.url}/health`, { client });
    assert.equal(health.status, 200);
    await health.body?.cancel();

    const openai = new OpenAI({
      baseURL: `${main.url}/v1`,
      apiKey: "unused",
      maxRetries: 0,
      fetch: (input, init) => fetch(input, { ...init, client }),
    });
    const answer = await openai.chat.completions.create({
      model: "m",
      messages: [{ role: "user", content: "hi" }],
    });
    assert.ok((answer.choices[0]?.message.content ?? "").length > 0);

    // Plain HTTP on the TLS port gets no answer.
    const plain = main.url.replace("https://", "http://");
    await assert.rejects(fetch(`${plain}/health`));

    // A reload keeps serving the certificate it started with, and says so.
    await Deno.writeTextFile(key, `${await Deno.readTextFile(key)}\n`);
    main.kill("SIGHUP");
    await main.waitForLine(/config reloaded/);
    await main.waitForLine(
      /TLS certificate or key changed; restart to serve them/,
    );
    const after = await fetch(`${main.url}/health`, { client });
    assert.equal(after.status, 200);
    await after.body?.cancel();
  } finally {
    client.close();
    await stopMain(main);
    await Deno.remove(dir, { recursive: true });
  }
});
