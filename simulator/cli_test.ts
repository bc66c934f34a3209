import assert from "node:assert/strict";
import { parseSimulatorArgs, SimulatorUsageError } from "./cli.ts";

Deno.test("parseSimulatorArgs() fills in defaults when only --port is given", () => {
  const options = parseSimulatorArgs(["--port", "0"]);

  assert.deepEqual(options, {
    port: 0,
    host: "127.0.0.1",
    model: "simulated",
    loadMs: 0,
    neverHealthy: false,
    tokenMs: 0,
    tokens: 12,
    stopMs: 0,
    ignoreSigterm: false,
    crashAfter: null,
    crashMidStream: null,
    exitAfterMs: null,
    grandchild: false,
    idle: false,
    pidFile: null,
    chattyKib: 0,
    help: false,
  });
});

Deno.test("parseSimulatorArgs() reads every flag", () => {
  const options = parseSimulatorArgs([
    "--port=5800",
    "--host",
    "::1",
    "--model",
    "qwen",
    "--load-ms",
    "250",
    "--never-healthy",
    "--token-ms",
    "5",
    "--tokens",
    "3",
    "--stop-ms",
    "100",
    "--ignore-sigterm",
    "--crash-after",
    "2",
    "--crash-mid-stream",
    "0",
    "--exit-after-ms",
    "900",
    "--grandchild",
    "--pid-file",
    "/tmp/pids.json",
    "--chatty",
    "64",
  ]);

  assert.deepEqual(options, {
    port: 5800,
    host: "::1",
    model: "qwen",
    loadMs: 250,
    neverHealthy: true,
    tokenMs: 5,
    tokens: 3,
    stopMs: 100,
    ignoreSigterm: true,
    crashAfter: 2,
    crashMidStream: 0,
    exitAfterMs: 900,
    grandchild: true,
    idle: false,
    pidFile: "/tmp/pids.json",
    chattyKib: 64,
    help: false,
  });
});

Deno.test("parseSimulatorArgs() rejects an unknown flag by name", () => {
  assert.throws(
    () => parseSimulatorArgs(["--port", "0", "--warp-speed"]),
    (error) =>
      error instanceof SimulatorUsageError &&
      error.message.includes("--warp-speed"),
  );
});

Deno.test("parseSimulatorArgs() requires --port unless idle", () => {
  assert.throws(() => parseSimulatorArgs([]), /--port is required/);

  assert.equal(parseSimulatorArgs(["--idle"]).idle, true);
});

Deno.test("parseSimulatorArgs() rejects numbers that are negative, fractional or not numbers", () => {
  for (
    const [flag, value] of [
      ["--load-ms", "-1"],
      ["--tokens", "2.5"],
      ["--port", "eighty"],
      ["--token-ms", ""],
      ["--crash-after", "0"],
    ]
  ) {
    assert.throws(
      () => parseSimulatorArgs(["--port", "0", `${flag}=${value}`]),
      new RegExp(`"${flag}": "${value}" is not a whole number`),
    );
  }
});
