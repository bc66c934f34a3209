import assert from "node:assert/strict";
import { Logger, LogHub } from "../log/mod.ts";
import { FakeClock } from "../tests/fake_clock.ts";
import {
  type DetectHardware,
  HARDWARE_DETECTION_BUDGET_MS,
  HardwareDetection,
} from "./hardware_detection.ts";
import type { HardwareSnapshot } from "./hardware_snapshot.ts";
import { SNAPSHOT } from "./host_test_utils.ts";

function detection(detect: DetectHardware) {
  const clock = new FakeClock();
  const logs = new LogHub();
  const hardware = new HardwareDetection({
    detect,
    log: new Logger(logs.proxy, { level: "debug" }).child("hardware"),
    clock,
  });
  return { hardware, clock, logs };
}

/** A detection that settles only when its signal aborts. */
const neverDone: DetectHardware = (signal) =>
  new Promise((_, reject) =>
    signal.addEventListener("abort", () => reject(signal.reason))
  );

Deno.test("HardwareDetection.snapshot is null until detection finishes", async () => {
  const finish = Promise.withResolvers<HardwareSnapshot>();
  const { hardware, clock } = detection(() => finish.promise);

  assert.equal(hardware.snapshot, null);
  finish.resolve(SNAPSHOT);
  await hardware.settled;

  assert.equal(hardware.snapshot, SNAPSHOT);
  assert.equal(clock.pendingTimers, 0);
});

Deno.test("HardwareDetection keeps no snapshot and warns when detection fails", async () => {
  const { hardware, logs } = detection(() =>
    Promise.reject(new Error("cpuinfo unreadable"))
  );

  await hardware.settled;

  assert.equal(hardware.snapshot, null);
  assert.match(
    logs.proxy.text(),
    /WARN\] hardware: hardware detection failed error="?cpuinfo unreadable/,
  );
});

Deno.test("HardwareDetection gives up and aborts detection past its budget", async () => {
  let signal: AbortSignal | null = null;
  const { hardware, clock, logs } = detection((given) => {
    signal = given;
    return neverDone(given);
  });

  clock.tick(HARDWARE_DETECTION_BUDGET_MS - 1);
  assert.equal(signal!.aborted, false);
  clock.tick(1);
  await hardware.settled;

  assert.equal(hardware.snapshot, null);
  assert.equal(signal!.aborted, true);
  assert.match(logs.proxy.text(), /WARN.*took longer than 10000 ms/);
});

Deno.test("HardwareDetection.close() abandons detection quietly and stops the timer", async () => {
  const { hardware, clock, logs } = detection(neverDone);

  hardware.close();
  await hardware.settled;

  assert.equal(hardware.snapshot, null);
  assert.equal(clock.pendingTimers, 0);
  assert.match(
    logs.proxy.text(),
    /DEBUG\] hardware: hardware detection abandoned/,
  );
  assert.doesNotMatch(logs.proxy.text(), /WARN/);
});
