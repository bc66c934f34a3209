import assert from "node:assert/strict";
import { selfCommand } from "../lib/mod.ts";
import { TEST_TLS_DIR } from "./tls_server.ts";

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs this program with `args` as a real child and collects its output. */
async function run(args: string[], cwd?: string): Promise<Run> {
  const [command, ...prefix] = selfCommand();
  const output = await new Deno.Command(command!, {
    args: [...prefix, ...args],
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
    ...(cwd ? { cwd } : {}),
  }).output();
  const decoder = new TextDecoder();
  return {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
  };
}

Deno.test("llama-swap --version prints version and commit", async () => {
  const result = await run(["--version"]);

  assert.equal(result.code, 0);
  assert.match(result.stdout, /^version: \d+\.\d+\.\d+ \(\S+\), built at \S+/);
});

Deno.test("llama-swap --help lists the flags", async () => {
  const result = await run(["--help"]);

  assert.equal(result.code, 0);
  for (const flag of ["--config", "--listen", "--watch-config", "--demo"]) {
    assert.ok(result.stdout.includes(flag), `help mentions ${flag}`);
  }
});

Deno.test("llama-swap refuses an unknown flag with exit code 2", async () => {
  const result = await run(["--no-such-flag"]);

  assert.equal(result.code, 2);
  assert.match(result.stderr, /no-such-flag/);
});

Deno.test("llama-swap exits 1 without the help for a TLS certificate without its key", async () => {
  for (const flag of ["--tls-cert-file", "-tls-key-file"]) {
    const result = await run(["--demo", flag, "server.pem"]);

    assert.equal(result.code, 1, flag);
    assert.match(result.stderr, /give both --tls-cert-file and --tls-key-file/);
    assert.doesNotMatch(result.stderr, /Usage:/);
  }
});

Deno.test("llama-swap takes Go-style =true and =false after a switch", async () => {
  const result = await run([
    "--demo=true",
    "-check-config=1",
    "-watch-config=false",
  ]);

  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /is valid/);
});

Deno.test("llama-swap prints config errors with file, line, column and key path", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(
      `${dir}/config.yaml`,
      "models:\n  qwen:\n    cmd: server --port ${PORT}\n    ttl: soon\n",
    );

    const result = await run(["-config", `${dir}/config.yaml`]);

    assert.equal(result.code, 1);
    assert.match(result.stderr, /config\.yaml:4:10: models\.qwen\.ttl: /);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("llama-swap --check-config merges --config and the files of --config-dir", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.mkdir(`${dir}/conf.d`);
    await Deno.writeTextFile(
      `${dir}/main.yaml`,
      "macros: {SERVER: llama-server}\n",
    );
    await Deno.writeTextFile(
      `${dir}/conf.d/a.yaml`,
      "models:\n  alpha:\n    cmd: ${SERVER} --port ${PORT}\n",
    );
    await Deno.writeTextFile(
      `${dir}/conf.d/b.yaml`,
      "models:\n  beta:\n    cmd: ${SERVER} --port ${PORT}\n",
    );

    const result = await run([
      "-config",
      `${dir}/main.yaml`,
      "-config-dir",
      `${dir}/conf.d`,
      "-check-config",
    ]);

    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /main\.yaml \+ .*conf\.d\/" is valid/);
    assert.match(result.stdout, /alpha \(port 5800\)/);
    assert.match(result.stdout, /beta \(port 5801\)/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("llama-swap names the file of a duplicate model across --config-dir", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const model = "models:\n  dup:\n    cmd: s --port ${PORT}\n";
    await Deno.writeTextFile(`${dir}/a.yaml`, model);
    await Deno.writeTextFile(`${dir}/b.yaml`, model);

    const result = await run(["--config-dir", dir, "--check-config"]);

    assert.equal(result.code, 1);
    assert.ok(
      result.stderr.includes(
        `b.yaml:2:3: models.dup: duplicate models "dup" found in ${dir}/b.yaml (already defined in another config source)`,
      ),
      result.stderr,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("llama-swap --check-config summarises the built-in demo", async () => {
  const result = await run(["--demo", "--check-config"]);

  assert.equal(result.code, 0);
  assert.match(result.stdout, /is valid/);
  assert.match(result.stdout, /demo-fast/);
  assert.match(result.stdout, /demo \[swap, exclusive\]/);
});

Deno.test("llama-swap reports a missing config file and exits non-zero", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const result = await run(["--config", `${dir}/missing.yaml`]);

    assert.equal(result.code, 1);
    assert.match(result.stderr, /missing\.yaml/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("llama-swap says plainly why it cannot listen: taken port, unreadable, unusable or mismatched TLS files", async () => {
  const dir = await Deno.makeTempDir();
  const taken = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  try {
    await Deno.writeTextFile(`${dir}/config.yaml`, "models: {}\n");
    const serve = (...args: string[]) =>
      run([
        "--config",
        `${dir}/config.yaml`,
        "--data-dir",
        `${dir}/data`,
        ...args,
      ]);
    const cases: [string[], RegExp][] = [
      [
        ["--listen", `127.0.0.1:${taken.addr.port}`],
        new RegExp(
          `^llama-swap: cannot listen on 127\\.0\\.0\\.1:${taken.addr.port}: .*in use`,
          "m",
        ),
      ],
      [
        [
          "--listen",
          "127.0.0.1:0",
          "--tls-cert-file",
          `${dir}/missing.crt`,
          "--tls-key-file",
          `${TEST_TLS_DIR}server.key`,
        ],
        /^llama-swap: cannot read the TLS files: .*missing\.crt/m,
      ],
      [
        [
          "--listen",
          "127.0.0.1:0",
          "--tls-cert-file",
          `${TEST_TLS_DIR}server.crt`,
          "--tls-key-file",
          `${TEST_TLS_DIR}ca.crt`, // a certificate, not a key
        ],
        /^llama-swap: cannot serve TLS with the given certificate and key: /m,
      ],
      [
        [
          "--listen",
          "127.0.0.1:0",
          "--tls-cert-file",
          `${TEST_TLS_DIR}ca.crt`, // not the certificate of this key
          "--tls-key-file",
          `${TEST_TLS_DIR}server.key`,
        ],
        /^llama-swap: cannot serve TLS with the given certificate and key: .*KeyMismatch/m,
      ],
    ];
    for (const [args, message] of cases) {
      const result = await serve(...args);
      assert.equal(result.code, 1, result.stderr);
      assert.match(result.stderr, message);
      assert.doesNotMatch(result.stderr, /Uncaught|^ {4}at /m);
    }
  } finally {
    taken.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("deno serve main.ts hosts the proxy with flags from LLAMA_SWAP_ARGS", async () => {
  const dataDir = await Deno.makeTempDir();
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = listener.addr.port;
  listener.close();
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "serve",
      "--allow-all",
      "--host",
      "127.0.0.1",
      "--port",
      String(port),
      new URL("../main.ts", import.meta.url).pathname,
    ],
    env: { NO_COLOR: "1", LLAMA_SWAP_ARGS: `--demo --data-dir ${dataDir}` },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const stderr = child.stderr.text();
  try {
    await waitForOutput(child.stdout, "serving requests handed over");

    const res = await fetch(`http://127.0.0.1:${port}/v1/models`);
    const body = await res.json();

    assert.equal(res.status, 200);
    assert.deepEqual(
      body.data.map((m: { id: string }) => m.id),
      ["demo-chat", "demo-fast", "demo-large"],
    );
  } finally {
    child.kill("SIGINT");
    const status = await child.status;
    await stderr;
    await Deno.remove(dataDir, { recursive: true });
    assert.equal(status.code, 0);
  }
});

/** Reads `stream` until `text` appears, then keeps draining it. */
async function waitForOutput(
  stream: ReadableStream<Uint8Array>,
  text: string,
): Promise<void> {
  const reader = stream.pipeThrough(new TextDecoderStream()).getReader();
  let seen = "";
  while (!seen.includes(text)) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`output ended before "${text}":\n${seen}`);
    seen += value;
  }
  void (async () => {
    while (!(await reader.read()).done) { /* drain */ }
  })();
}
