import { errorText } from "../lib/mod.ts";
import { parseArgs } from "node:util";

/** Everything `llama-swap simulate` can be told on its command line. */
export interface SimulatorOptions {
  /** Port to listen on; 0 picks a free one. */
  readonly port: number;
  readonly host: string;
  /** Reported by `/v1/models` and `/props`, and used when a request names none. */
  readonly model: string;
  /** `/health` answers 503 until this many ms after start. */
  readonly loadMs: number;
  /** `/health` answers 503 for ever. */
  readonly neverHealthy: boolean;
  /** Pause between generated tokens, in ms. */
  readonly tokenMs: number;
  /** Tokens per reply unless the request asks for fewer. */
  readonly tokens: number;
  /** Pause between SIGTERM (or SIGINT) and exiting 0, in ms. */
  readonly stopMs: number;
  /** Log SIGTERM and SIGINT and keep running; only SIGKILL ends it. */
  readonly ignoreSigterm: boolean;
  /** Exit 70 once this many completion-type requests were answered. */
  readonly crashAfter: number | null;
  /** Exit 71 in the middle of a stream, after this many tokens. */
  readonly crashMidStream: number | null;
  /** Exit 1 this many ms after start. */
  readonly exitAfterMs: number | null;
  /** Start an idle grandchild in our process group at start. */
  readonly grandchild: boolean;
  /** Run nothing, listen nowhere, stay alive until killed. */
  readonly idle: boolean;
  /** Where to write `{"pid":N}` (and `grandchildPid`) at start. */
  readonly pidFile: string | null;
  /** KiB written to stdout and again to stderr at start. */
  readonly chattyKib: number;
  /** Print the usage text and exit 0. */
  readonly help: boolean;
}

/** The command line could not be understood; the process exits 2. */
export class SimulatorUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SimulatorUsageError";
  }
}

/** Shown for `--help` and after a usage error. */
export const SIMULATOR_USAGE = `Usage: llama-swap simulate --port N [options]

A simulated inference server that behaves like llama.cpp's llama-server.

  --port N             port to listen on, 0 picks a free one (required)
  --host H             address to listen on (default 127.0.0.1)
  --model NAME         model name to report (default simulated)
  --load-ms N          /health answers 503 until N ms after start
  --never-healthy      /health always answers 503
  --token-ms N         delay between generated tokens
  --tokens N           tokens per reply (default 12)
  --stop-ms N          on SIGTERM or SIGINT, wait N ms, then exit 0
  --ignore-sigterm     log SIGTERM and SIGINT and keep running
  --crash-after N      exit 70 after answering N completion requests
  --crash-mid-stream N exit 71 after streaming N tokens
  --exit-after-ms N    exit 1 N ms after start
  --grandchild         start an idle grandchild in our process group
  --pid-file PATH      write {"pid":N,"grandchildPid":M} to PATH
  --idle               do nothing until killed (the grandchild's mode)
  --chatty N           write N KiB to stdout and to stderr at start
`;

const FLAGS = {
  port: { type: "string" },
  host: { type: "string" },
  model: { type: "string" },
  "load-ms": { type: "string" },
  "never-healthy": { type: "boolean" },
  "token-ms": { type: "string" },
  tokens: { type: "string" },
  "stop-ms": { type: "string" },
  "ignore-sigterm": { type: "boolean" },
  "crash-after": { type: "string" },
  "crash-mid-stream": { type: "string" },
  "exit-after-ms": { type: "string" },
  grandchild: { type: "boolean" },
  idle: { type: "boolean" },
  "pid-file": { type: "string" },
  chatty: { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

/**
 * Parses `simulate` arguments (without the `simulate` word itself).
 *
 * Throws `SimulatorUsageError` for an unknown flag, a missing value, a
 * number that is not a whole number of at least 0 (at least 1 for the
 * crash counts), and a missing `--port` outside `--idle` and `--help`.
 */
export function parseSimulatorArgs(args: readonly string[]): SimulatorOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...args],
      options: FLAGS,
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    const detail = errorText(error);
    throw new SimulatorUsageError(
      `Cannot parse simulator arguments: ${detail}`,
    );
  }

  const idle = values.idle ?? false;
  const help = values.help ?? false;
  if (values.port === undefined && !idle && !help) {
    throw new SimulatorUsageError(
      "Cannot start the simulator: --port is required",
    );
  }

  return {
    port: count("port", values.port, 0) ?? 0,
    host: values.host ?? "127.0.0.1",
    model: values.model ?? "simulated",
    loadMs: count("load-ms", values["load-ms"], 0) ?? 0,
    neverHealthy: values["never-healthy"] ?? false,
    tokenMs: count("token-ms", values["token-ms"], 0) ?? 0,
    tokens: count("tokens", values.tokens, 0) ?? 12,
    stopMs: count("stop-ms", values["stop-ms"], 0) ?? 0,
    ignoreSigterm: values["ignore-sigterm"] ?? false,
    crashAfter: count("crash-after", values["crash-after"], 1),
    crashMidStream: count("crash-mid-stream", values["crash-mid-stream"], 0),
    exitAfterMs: count("exit-after-ms", values["exit-after-ms"], 0),
    grandchild: values.grandchild ?? false,
    idle,
    pidFile: values["pid-file"] ?? null,
    chattyKib: count("chatty", values.chatty, 0) ?? 0,
    help,
  };
}

/** A whole number of at least `min`, or null when the flag was not given. */
function count(
  flag: string,
  text: string | undefined,
  min: number,
): number | null {
  if (text === undefined) return null;
  const value = Number(text.trim());
  if (text.trim() === "" || !Number.isSafeInteger(value) || value < min) {
    throw new SimulatorUsageError(
      `Cannot parse simulator argument "--${flag}": "${text}" is not a whole number of at least ${min}`,
    );
  }
  return value;
}
