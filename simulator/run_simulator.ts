import { delay } from "../lib/mod.ts";
import { Logger } from "../log/mod.ts";
import {
  parseSimulatorArgs,
  SIMULATOR_USAGE,
  type SimulatorOptions,
  SimulatorUsageError,
} from "./cli.ts";
import {
  exitAfter,
  fileSink,
  handleStopSignals,
  idleForever,
  spawnGrandchild,
  writeChatter,
  writePidFile,
} from "./lifecycle.ts";
import { SimulatorApp } from "./server.ts";

/**
 * How long a crash mid-stream lets the frames already sent, and the dropped
 * connection, reach the client before the process goes.
 */
const MID_STREAM_FLUSH_MS = 20;

/**
 * Longest a crash after an answer waits for the server's graceful close
 * (which sends the answer and ends idle keep-alive connections) when
 * another request keeps it open.
 */
const CRASH_CLOSE_LIMIT_MS = 1000;

/**
 * Runs `llama-swap simulate` with command-line `args` and resolves to the
 * exit code: 0 after a stop signal, 1 for `--exit-after-ms` or a failure to
 * listen, 2 for a usage error, 70 and 71 for the simulated crashes.
 *
 * It is meant to be the whole process: the caller exits with the code at
 * once, which also ends any stream still open (`--crash-mid-stream` relies
 * on that to drop its connection). In `--idle` mode it never resolves.
 */
export async function runSimulator(args: readonly string[]): Promise<number> {
  const stdoutLog = new Logger(fileSink(Deno.stdout));
  const stderrLog = new Logger(fileSink(Deno.stderr));

  let options: SimulatorOptions;
  try {
    options = parseSimulatorArgs(args);
  } catch (error) {
    if (!(error instanceof SimulatorUsageError)) throw error;
    stderrLog.error(error.message);
    fileSink(Deno.stderr).write(SIMULATOR_USAGE);
    return 2;
  }
  if (options.help) {
    fileSink(Deno.stdout).write(SIMULATOR_USAGE);
    return 0;
  }
  if (options.idle) return await idleForever(stderrLog);

  return await serve(options, stdoutLog, stderrLog);
}

async function serve(
  options: SimulatorOptions,
  requestLog: Logger,
  lifecycleLog: Logger,
): Promise<number> {
  const { promise: exitCode, resolve: exit } = Promise.withResolvers<number>();
  let server: Deno.HttpServer | null = null;
  const app = new SimulatorApp(options, {
    requestLog,
    lifecycleLog,
    exit: (code) => {
      if (code === 71) {
        delay(MID_STREAM_FLUSH_MS).then(() => exit(code));
      } else if (server) {
        // The answer counted as delivered may still sit in the server's
        // buffers: a graceful close sends it before the process goes.
        const closed = server.shutdown().catch(() => {});
        Promise.race([closed, delay(CRASH_CLOSE_LIMIT_MS)]).then(() =>
          exit(code)
        );
      } else {
        exit(code);
      }
    },
  });

  handleStopSignals({
    stopMs: options.stopMs,
    ignore: options.ignoreSigterm,
    log: lifecycleLog,
    exit,
  });
  if (options.exitAfterMs !== null) {
    exitAfter(options.exitAfterMs, lifecycleLog, exit);
  }

  const grandchildPid = options.grandchild
    ? spawnGrandchild(lifecycleLog)
    : null;
  if (options.pidFile !== null) {
    await writePidFile(options.pidFile, Deno.pid, grandchildPid);
  }
  if (options.chattyKib > 0) await writeChatter(options.chattyKib);

  try {
    server = Deno.serve({
      hostname: options.host,
      port: options.port,
      onListen: ({ hostname, port }) => {
        const host = hostname.includes(":") ? `[${hostname}]` : hostname;
        lifecycleLog.info(`simulator listening on http://${host}:${port}`, {
          model: options.model,
          pid: Deno.pid,
        });
      },
    }, app.fetch);
  } catch (error) {
    lifecycleLog.error(
      `Cannot listen on "${options.host}:${options.port}": ${String(error)}`,
    );
    return 1;
  }

  return await exitCode;
}
