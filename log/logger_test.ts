import assert from "node:assert/strict";
import { FakeClock } from "../tests/fake_clock.ts";
import { LogBuffer } from "./log_buffer.ts";
import { Logger } from "./logger.ts";

Deno.test("Logger writes level, component, message and fields", () => {
  const sink = new LogBuffer();
  const log = new Logger(sink).child("router");

  log.info("swap started", { model: "qwen", evict: ["a", "b"] });

  assert.equal(
    sink.text(),
    "[INFO] router: swap started model=qwen evict=a,b\n",
  );
});

Deno.test("Logger drops lines below its level", () => {
  const sink = new LogBuffer();
  const log = new Logger(sink, { level: "warn" });

  log.info("not shown");
  log.warn("shown");

  assert.equal(sink.text(), "[WARN] shown\n");
});

Deno.test("Logger.configure() applies to children made earlier", () => {
  const sink = new LogBuffer();
  const root = new Logger(sink);
  const child = root.child("process");

  root.configure({ level: "debug" });
  child.debug("probe");

  assert.equal(sink.text(), "[DEBUG] process: probe\n");
});

Deno.test("Logger quotes field values with spaces", () => {
  const sink = new LogBuffer();

  new Logger(sink).error("start failed", { error: "exit code 1", empty: "" });

  assert.equal(
    sink.text(),
    '[ERROR] start failed error="exit code 1" empty=""\n',
  );
});

Deno.test("Logger adds a timestamp in the configured Go layout", () => {
  const sink = new LogBuffer();
  const clock = new FakeClock(Date.UTC(2026, 11, 3, 18, 4, 5));
  const log = new Logger(sink, { timeFormat: "RFC3339", clock });

  log.info("up");

  assert.match(
    sink.text(),
    /^\[2026-12-0\dT\d\d:04:05(Z|[+-]\d\d:\d\d)\] \[INFO\] up\n$/,
  );
});
