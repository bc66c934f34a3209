import assert from "node:assert/strict";
import { startSimulator } from "./testing.ts";

Deno.test("startSimulator() rejects when the child exits before listening", async () => {
  await assert.rejects(
    startSimulator({ args: ["--no-such-flag"] }),
    /Cannot start the simulator: it exited with code 2 before listening/,
  );
});

Deno.test("startSimulator() works without its own process group", async () => {
  await using sim = await startSimulator({ processGroup: false });

  const res = await fetch(`${sim.url}/health`);
  await res.body?.cancel();

  assert.equal(res.status, 200);
  assert.throws(() => sim.killGroup(), /without its own process group/);
});

Deno.test("SimulatorProcess.waitForLine() finds earlier and later lines", async () => {
  await using sim = await startSimulator();

  const earlier = await sim.waitForLine("simulator listening on");
  const later = sim.waitForLine("path=/v1/models");
  await (await fetch(`${sim.url}/v1/models`)).body?.cancel();

  assert.match(earlier, /127\.0\.0\.1/);
  assert.match(await later, /method=GET path=\/v1\/models model=- status=200/);
});

Deno.test("SimulatorProcess.waitForLine() rejects once the output has closed", async () => {
  await using sim = await startSimulator();

  sim.kill("SIGTERM");
  await sim.status;

  await assert.rejects(sim.waitForLine("never written"), /no output line/);
  assert.equal(sim.kill("SIGTERM"), false);
});
