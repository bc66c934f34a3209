/**
 * The built-in simulated inference server (`llama-swap simulate`) and the
 * helper that runs it as a real child process in tests.
 *
 * Routes: `GET /health`, `/v1/models`, `/props`, `/`; `POST`
 * `/v1/chat/completions`, `/v1/completions`, `/v1/responses`,
 * `/v1/messages` (whole or `"stream": true`), `/completion`, `/infill`,
 * `/v1/messages/count_tokens`, `/v1/embeddings`, `/v1/rerank` (and
 * `/rerank`, `/v1/reranking`, `/reranking`), `/v1/audio/transcriptions`,
 * `/v1/audio/speech`, `/v1/images/generations`; the OpenAI and Anthropic
 * paths also answer without their `/v1` prefix. For tests: any method on
 * `/debug/echo[/...]`, `GET /debug/slow?ms=N`, `GET /debug/stats`.
 *
 * Replies are words chosen by a hash of the prompt, so the same prompt gets
 * the same reply, streamed or not; a prompt token is a whitespace-separated
 * word. Flags: see `SIMULATOR_USAGE` or `llama-swap simulate --help`.
 *
 * @example
 * ```ts
 * await using sim = await startSimulator({ args: ["--load-ms", "200"] });
 * const res = await fetch(`${sim.url}/health`); // 503, later 200
 * ```
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
