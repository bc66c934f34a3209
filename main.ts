// deno-lint-ignore-file no-console
/**
 * llama-swap for Deno: the command line.
 *
 * `llama-swap simulate ...` runs the built-in simulated inference server;
 * everything else parses the proxy's flags, loads the config (or the
 * built-in demo), starts the server and runs it until a stop signal
 * (`cli/lifecycle.ts`: SIGHUP and `--watch-config` reload).
 *
 * The default export is a fetch handler, so `deno serve main.ts` can host
 * the proxy too; flags then come from `LLAMA_SWAP_ARGS` (`--listen` and
 * TLS are `deno serve`'s business).
 */
import {
  argsFromEnvironment,
  type CliOptions,
  demoConfigText,
  FlagConflictError,
  formatSummary,
  HELP_TEXT,
  launchedByDenoServe,
  openAccessWarning,
  parseCliArgs,
  parseListenAddress,
  resolveDataDir,
  runUntilStopped,
  UsageError,
} from "./cli/mod.ts";
import {
  type Config,
  formatConfigError,
  loadConfig,
  loadConfigSources,
  type LoadResult,
} from "./config/mod.ts";
import { errorText, readBuildInfo } from "./lib/mod.ts";
import { TerminalWriter } from "./log/mod.ts";
import { createObservability } from "./observe/mod.ts";
import { ListenError, ProxyServer, type TlsFiles } from "./serve/mod.ts";
import { runSimulator } from "./simulator/mod.ts";
import { mountUi } from "./ui/mod.ts";

/** Runs the program with `args`; resolves to the exit code. */
export async function main(args: readonly string[]): Promise<number> {
  if (args[0] === "simulate") return await runSimulator(args.slice(1));

  let options: CliOptions;
  try {
    options = parseCliArgs(args);
  } catch (error) {
    if (error instanceof FlagConflictError) {
      console.error(`llama-swap: ${error.message}`);
      return 1;
    }
    if (!(error instanceof UsageError)) throw error;
    console.error(`llama-swap: ${error.message}\n`);
    console.error(HELP_TEXT);
    return 2;
  }
  if (options.help) {
    console.log(HELP_TEXT);
    return 0;
  }
  const buildInfo = await readBuildInfo();
  if (options.version) {
    console.log(
      `version: ${buildInfo.version} (${buildInfo.commit}), built at ${buildInfo.buildDate}`,
    );
    return 0;
  }

  const source = options.demo ? "built-in demo" : sourceName(options);
  const loaded = await loadSource(options);
  if (!loaded.ok) {
    console.error(`llama-swap: cannot load config "${source}":`);
    for (const error of loaded.errors) {
      console.error(`  ${formatConfigError(error)}`);
    }
    return 1;
  }
  for (const warning of loaded.warnings) {
    console.error(`llama-swap: warning: ${warning}`);
  }
  if (options.checkConfig) {
    console.log(formatSummary(loaded.config, source));
    return 0;
  }

  return await serve(options, loaded.config);
}

/**
 * Loads the demo, or `--config` and the files of `--config-dir`, merged;
 * a reload calls it again, so it sees every file as it is then.
 */
function loadSource(options: CliOptions): Promise<LoadResult> {
  if (options.demo) {
    return Promise.resolve(
      loadConfig(demoConfigText(), { file: "demo.yaml" }),
    );
  }
  return loadConfigSources({
    config: options.config,
    configDir: options.configDir,
  });
}

/** `config.yaml`, `conf.d/` or `config.yaml + conf.d/`, for messages. */
function sourceName(options: CliOptions): string {
  const dir = options.configDir === null ? null : `${options.configDir}/`;
  return [options.config, dir].filter((part) => part !== null).join(" + ");
}

/** What `--watch-config` watches; null without it or with `--demo`. */
function watchedSources(options: CliOptions) {
  if (!options.watchConfig || options.demo) return null;
  return { file: options.config, dir: options.configDir };
}

async function serve(options: CliOptions, config: Config): Promise<number> {
  const fallback = options.demo
    ? "127.0.0.1:8080"
    : options.tlsCertFile
    ? ":8443"
    : ":8080";
  const listen = parseListenAddress(options.listen ?? fallback);
  const readTls = tlsReader(options);
  let tls: TlsFiles | null = null;
  try {
    tls = readTls ? await readTls() : null;
  } catch (error) {
    console.error(`llama-swap: cannot read the TLS files: ${errorText(error)}`);
    return 1;
  }

  let server: ProxyServer;
  try {
    server = await ProxyServer.start({
      ...await serverOptions(options, config),
      hostname: listen.hostname,
      port: listen.port,
      tls,
      tlsSource: readTls,
    });
  } catch (error) {
    if (!(error instanceof ListenError)) throw error;
    terminal.flush();
    console.error(`llama-swap: ${error.message}`);
    return 1;
  }

  const warning = openAccessWarning(listen.hostname, config);
  if (warning) {
    server.logger.warn(warning, { listen: options.listen ?? fallback });
  }
  if (options.demo) {
    terminal.flush(); // the log lines so far come first
    console.log(
      `\nDemo running at ${server.url}/ (models: ${
        Object.keys(config.models).join(", ")
      })\n`,
    );
  }

  return await runUntilStopped(server, { watch: watchedSources(options) });
}

/**
 * Where the log lines `logToStdout` selects go: stdout, in batches a few
 * milliseconds apart, everything waiting written on exit or a crash.
 */
const terminal = new TerminalWriter((bytes) => Deno.stdout.writeSync(bytes));
globalThis.addEventListener("unload", terminal.flush);
globalThis.addEventListener("error", terminal.flush);
globalThis.addEventListener("unhandledrejection", terminal.flush);

/** What a server needs besides where it listens. */
async function serverOptions(options: CliOptions, config: Config) {
  return {
    config,
    reloadSource: () => loadSource(options),
    dataDir: resolveDataDir(options.dataDir, { demo: options.demo }),
    buildInfo: await readBuildInfo(),
    terminal: terminal.write,
    logLevel: (options.logLevel as Config["logLevel"] | null) ?? null,
    observability: createObservability,
    ui: mountUi,
  };
}

/**
 * Starts the proxy inside `deno serve`: no listener of its own, signals
 * handled as usual. Exits on a bad config, like the command line.
 */
async function startForDenoServe(): Promise<ProxyServer> {
  const options = parseCliArgs(argsFromEnvironment());
  const loaded = await loadSource(options);
  if (!loaded.ok) {
    for (const error of loaded.errors) {
      console.error(`llama-swap: ${formatConfigError(error)}`);
    }
    Deno.exit(1);
  }
  const server = await ProxyServer.embedded({
    ...await serverOptions(options, loaded.config),
    hostname: "",
    port: 0,
  });
  void runUntilStopped(server, { watch: watchedSources(options) }).then(
    (code) => Deno.exit(code),
  );
  return server;
}

let embedded: Promise<ProxyServer> | null = null;

/** The proxy as a fetch handler, for `deno serve main.ts`. */
export default {
  fetch(request: Request, info: Deno.ServeHandlerInfo): Promise<Response> {
    embedded ??= startForDenoServe();
    return embedded.then((server) => server.fetch(request, info));
  },
} satisfies Deno.ServeDefaultExport;

/** Reads the `--tls-*` files; null when TLS is off. */
function tlsReader(
  options: CliOptions,
): (() => Promise<{ cert: string; key: string }>) | null {
  const { tlsCertFile, tlsKeyFile } = options;
  if (!tlsCertFile || !tlsKeyFile) return null;
  return async () => ({
    cert: await Deno.readTextFile(tlsCertFile),
    key: await Deno.readTextFile(tlsKeyFile),
  });
}

if (import.meta.main) {
  if (launchedByDenoServe()) {
    embedded = startForDenoServe();
  } else {
    Deno.exit(await main(Deno.args));
  }
}
