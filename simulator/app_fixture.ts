/** An in-process simulator app with recorded logs and exits, for tests. */
import { LogBuffer, Logger } from "../log/mod.ts";
import { FakeClock } from "../tests/fake_clock.ts";
import { parseSimulatorArgs } from "./cli.ts";
import { SimulatorApp } from "./server.ts";

/** A `SimulatorApp` for `simulate --port 0 ...flags` on a fake clock. */
export function makeApp(flags: string[] = []) {
  const clock = new FakeClock();
  const requestLines = new LogBuffer();
  const lifecycleLines = new LogBuffer();
  const exits: number[] = [];
  const app = new SimulatorApp(parseSimulatorArgs(["--port", "0", ...flags]), {
    requestLog: new Logger(requestLines),
    lifecycleLog: new Logger(lifecycleLines),
    exit: (code) => exits.push(code),
    clock,
  });
  return { app, clock, requestLines, lifecycleLines, exits };
}

/** POSTs `body` (JSON unless already a string) to `path`. */
export function post(app: SimulatorApp, path: string, body: unknown) {
  return app.fetch(
    new Request(`http://127.0.0.1${path}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: typeof body === "string" ? body : JSON.stringify(body),
    }),
  );
}

/** GETs `path`. */
export function get(app: SimulatorApp, path: string) {
  return app.fetch(new Request(`http://127.0.0.1${path}`));
}

/** Reads `path` inside parsed JSON; undefined when any step is missing. */
export function at(value: unknown, ...path: (string | number)[]): unknown {
  let here = value;
  for (const step of path) {
    if (typeof here !== "object" || here === null) return undefined;
    here = typeof step === "number" && Array.isArray(here)
      ? here.at(step)
      : (here as Record<string, unknown>)[step];
  }
  return here;
}
