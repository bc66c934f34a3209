/**
 * The deployment files: the systemd unit passes `systemd-analyze verify`
 * and keeps the settings a GPU service depends on, and the example config
 * loads.
 */
import assert from "node:assert/strict";
import { loadConfig } from "../config/mod.ts";

const DEPLOY = new URL("../deploy/", import.meta.url);
const UNIT = new URL("llama-swap.service", DEPLOY);

/** Why the verify test cannot run here, or null when it can. */
function missingSystemdAnalyze(): string | null {
  const path = Deno.env.get("PATH") ?? "/usr/bin:/bin";
  for (const dir of path.split(":")) {
    try {
      Deno.statSync(`${dir}/systemd-analyze`);
      return null;
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
  }
  return "systemd-analyze is not installed";
}

const skipVerify = missingSystemdAnalyze();

Deno.test({
  name: "deploy/llama-swap.service passes systemd-analyze verify" +
    (skipVerify ? ` (skipped: ${skipVerify})` : ""),
  ignore: skipVerify !== null,
  async fn() {
    const dir = await Deno.makeTempDir();
    try {
      // verify insists the binary exists; point it at a stand-in.
      const binary = `${dir}/llama-swap`;
      await Deno.writeTextFile(binary, "#!/bin/sh\nexit 0\n");
      await Deno.chmod(binary, 0o755);
      const unit = (await Deno.readTextFile(UNIT))
        .replace("/usr/local/bin/llama-swap", binary);
      await Deno.writeTextFile(`${dir}/llama-swap.service`, unit);

      const result = await new Deno.Command("systemd-analyze", {
        args: ["verify", `${dir}/llama-swap.service`],
        stdout: "piped",
        stderr: "piped",
      }).output();

      const output = new TextDecoder().decode(result.stderr) +
        new TextDecoder().decode(result.stdout);
      assert.equal(result.code, 0, output);
      assert.equal(output.trim(), "");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("deploy/llama-swap.service runs the binary as a service user and stops the whole cgroup after the drain", async () => {
  const unit = await Deno.readTextFile(UNIT);
  const settings = new Map(
    unit.split("\n")
      .filter((line) => /^\w+=/.test(line))
      .map((
        line,
      ) => [
        line.slice(0, line.indexOf("=")),
        line.slice(line.indexOf("=") + 1),
      ]),
  );

  assert.equal(
    settings.get("ExecStart"),
    "/usr/local/bin/llama-swap --config /etc/llama-swap/config.yaml --data-dir /var/lib/llama-swap --listen :8080",
  );
  assert.equal(settings.get("User"), "llama-swap");
  assert.equal(settings.get("Restart"), "on-failure");
  // SIGTERM to llama-swap alone, so it drains; SIGKILL to the rest after.
  assert.equal(settings.get("KillMode"), "mixed");
  assert.equal(settings.get("StateDirectory"), "llama-swap");
  assert.equal(settings.get("ExecReload"), "/bin/kill -HUP $MAINPID");
  assert.ok(parseInt(settings.get("TimeoutStopSec") ?? "0") > 30);
  assert.equal(settings.has("PrivateDevices"), false);
});

Deno.test("deploy/config.example.yaml loads, with a container model stopped by docker stop", async () => {
  const text = await Deno.readTextFile(new URL("config.example.yaml", DEPLOY));

  const loaded = loadConfig(text, { file: "config.example.yaml" });

  assert.ok(loaded.ok, JSON.stringify(loaded));
  const container = loaded.config.models["llama-3.1-8b-vllm"];
  assert.equal(container?.cmdStop, "docker stop llama-3.1-8b-vllm");
  assert.deepEqual(loaded.config.preload, ["qwen3-8b"]);
});
