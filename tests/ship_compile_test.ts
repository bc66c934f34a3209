/**
 * The single binary. `deno compile` needs its runtime (denort), which it
 * downloads once; where that is impossible the build test is skipped and
 * says why, and the script's failure message is checked instead. The
 * binary's fixed permissions are checked either way by running `main.ts`
 * with exactly those permissions.
 */
import assert from "node:assert/strict";
import { BINARY_PERMISSIONS } from "../scripts/compile.ts";
import { findDenort } from "../scripts/denort.ts";
import { chat, MAIN, startMain } from "./ship_main_child.ts";

const ROOT = new URL("..", import.meta.url).pathname;
const denort = await findDenort();
const skipped = denort.available ? "" : ` (skipped: ${denort.reason})`;

/** Runs `deno task compile` with `args`; returns its exit code and output. */
async function compile(
  args: readonly string[],
  env: Record<string, string> = {},
): Promise<{ code: number; output: string }> {
  const result = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", `${ROOT}scripts/compile.ts`, ...args],
    cwd: ROOT,
    env,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decoder = new TextDecoder();
  return {
    code: result.code,
    output: decoder.decode(result.stdout) + decoder.decode(result.stderr),
  };
}

/** Serves the demo through `command` and checks a model answers. */
async function demoAnswers(command: readonly string[]): Promise<void> {
  const dir = await Deno.makeTempDir();
  try {
    await using main = await startMain(
      ["--demo", "--data-dir", `${dir}/data`],
      command,
    );
    const response = await chat(main.url, "demo-fast", { maxTokens: 2 });
    const body = await response.json();

    assert.equal(response.status, 200, JSON.stringify(body));
    assert.equal(body.model, "demo-fast");
    main.kill("SIGTERM");
    assert.equal((await main.status).code, 0, main.output());
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test({
  name:
    "deno task compile builds a binary that reports its version and serves the demo" +
    skipped,
  ignore: !denort.available,
  async fn() {
    const dir = await Deno.makeTempDir();
    try {
      const built = await compile(["--out-dir", dir]);
      assert.equal(built.code, 0, built.output);
      const binary = `${dir}/llama-swap`;

      const version = await new Deno.Command(binary, {
        args: ["--version"],
        stdout: "piped",
      }).output();

      assert.match(
        new TextDecoder().decode(version.stdout),
        /^version: \d+\.\d+\.\d+ \([0-9a-f]{4,}\), built at \d{4}-\d\d-\d\dT/,
      );
      await demoAnswers([binary]);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name:
    "deno task compile fails with a clear message when denort cannot be downloaded" +
    (denort.available ? " (skipped: denort is available here)" : ""),
  ignore: denort.available,
  async fn() {
    const dir = await Deno.makeTempDir();
    try {
      // A proxy nobody listens on: the download fails at once, network or not.
      const result = await compile(["--out-dir", dir], {
        HTTPS_PROXY: "http://127.0.0.1:9",
      });

      assert.equal(result.code, 1);
      assert.match(result.output, /needs its runtime \(denort\)/);
      assert.match(result.output, /set DENORT_BIN/);
      assert.match(result.output, /denort-[\w-]+\.zip/);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("main.ts serves the demo with only the permissions compiled into the binary", async () => {
  await demoAnswers([Deno.execPath(), "run", ...BINARY_PERMISSIONS, MAIN]);
});

Deno.test("main.ts simulate runs with only the permissions compiled into the binary", async () => {
  const dir = await Deno.makeTempDir();
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      ...BINARY_PERMISSIONS,
      MAIN,
      "simulate",
      "--port",
      "0",
      "--grandchild",
      "--pid-file",
      `${dir}/pids.json`,
    ],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    detached: true,
  }).spawn();
  const stdout = new Response(child.stdout).text();
  try {
    // The simulator logs to stderr.
    const reader = child.stderr.pipeThrough(new TextDecoderStream())
      .getReader();
    let output = "";
    while (!output.includes("simulator listening on")) {
      const { done, value } = await reader.read();
      if (done) break;
      output += value;
    }
    await reader.cancel();
    const url = /listening on (\S+)/.exec(output)?.[1];

    const health = await fetch(`${url}/health`);

    assert.equal(health.status, 200, output);
    await health.body?.cancel();
  } finally {
    Deno.kill(-child.pid, "SIGKILL");
    await child.status;
    await stdout;
    await Deno.remove(dir, { recursive: true });
  }
});
