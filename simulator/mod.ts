/**
 * The built-in simulated inference server (`llama-swap simulate`) and the
 * helper that runs it as a real child process in tests.
 */
export { runSimulator } from "./run_simulator.ts";
export {
  parseSimulatorArgs,
  SIMULATOR_USAGE,
  type SimulatorOptions,
  SimulatorUsageError,
} from "./cli.ts";
export { SimulatorApp, type SimulatorAppDeps } from "./server.ts";
export { type SimulatorStats } from "./request_counters.ts";
export { parseSseFrames, type SseFrame } from "./sse.ts";
export {
  type SimulatorProcess,
  startSimulator,
  type StartSimulatorOptions,
} from "./testing.ts";
