/** The parsed command line of the proxy (not of `simulate`). */
export interface CliOptions {
  /** The `--config` file; null when only `--config-dir` was given. */
  readonly config: string | null;
  /** The `--config-dir` directory of more YAML files; null when not given. */
  readonly configDir: string | null;
  readonly listen: string | null;
  readonly watchConfig: boolean;
  readonly tlsCertFile: string | null;
  readonly tlsKeyFile: string | null;
  readonly logLevel: string | null;
  readonly dataDir: string | null;
  readonly version: boolean;
  readonly help: boolean;
  readonly demo: boolean;
  readonly checkConfig: boolean;
}

/** A command line that does not parse; main.ts prints the help and exits 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

const DEFAULT_CONFIG = "config.yaml";

const STRING_FLAGS = new Set([
  "config",
  "config-dir",
  "listen",
  "tls-cert-file",
  "tls-key-file",
  "log-level",
  "data-dir",
]);

/** Boolean flags, with the one-letter spellings of two of them. */
const BOOLEAN_FLAGS = new Map([
  ["watch-config", "watch-config"],
  ["version", "version"],
  ["v", "version"],
  ["help", "help"],
  ["h", "help"],
  ["demo", "demo"],
  ["check-config", "check-config"],
]);

/**
 * Flags that parse but cannot run together (a TLS certificate without its
 * key); main.ts prints the message and exits 1, as llama-swap does.
 */
export class FlagConflictError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "FlagConflictError";
  }
}

/** The words Go's `strconv.ParseBool` accepts. */
const TRUE_WORDS = new Set(["1", "t", "T", "true", "TRUE", "True"]);
const FALSE_WORDS = new Set(["0", "f", "F", "false", "FALSE", "False"]);

/**
 * Parses proxy flags the way Go's `flag` package does, so llama-swap
 * service files keep working unchanged:
 *
 * - one or two dashes: `-config x`, `--config x`, `-config=x`;
 * - a string flag takes the next argument even when it starts with a dash;
 * - a boolean flag is true alone (`-watch-config`) and takes a value only
 *   after `=` (`--check-config=false`; 1, t, T, true, TRUE, True and their
 *   false twins);
 * - the last of repeated flags wins; `--` ends the flags.
 *
 * Unlike llama-swap, `--config` defaults to `config.yaml` when neither it
 * nor `--config-dir` is given, and leftover arguments are refused. Throws `UsageError` for what does not parse and
 * `FlagConflictError` for a TLS certificate without its key or the
 * reverse.
 *
 * @example
 * parseCliArgs(["-config-dir", "/etc/llama-swap/conf.d", "-watch-config=true"]);
 */
export function parseCliArgs(args: readonly string[]): CliOptions {
  const strings = new Map<string, string>();
  const booleans = new Map<string, boolean>();

  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === "--") {
      if (i + 1 < args.length) unexpectedArgument(args[i + 1]!);
      break;
    }
    const flag = splitFlag(arg);
    if (flag === null) unexpectedArgument(arg);

    const booleanName = BOOLEAN_FLAGS.get(flag.name);
    if (booleanName !== undefined) {
      booleans.set(booleanName, parseBoolean(flag.name, flag.value));
    } else if (STRING_FLAGS.has(flag.name)) {
      let value = flag.value;
      if (value === null) {
        if (i + 1 >= args.length) {
          throw new UsageError(`flag needs an argument: -${flag.name}`);
        }
        value = args[++i]!;
      }
      strings.set(flag.name, value);
    } else {
      throw new UsageError(`flag provided but not defined: -${flag.name}`);
    }
  }

  return checkOptions(strings, booleans);
}

function checkOptions(
  strings: ReadonlyMap<string, string>,
  booleans: ReadonlyMap<string, boolean>,
): CliOptions {
  const given = (name: string) => strings.get(name) || null;
  const tlsCertFile = given("tls-cert-file");
  const tlsKeyFile = given("tls-key-file");
  if ((tlsCertFile === null) !== (tlsKeyFile === null)) {
    throw new FlagConflictError(
      "Cannot enable TLS: give both --tls-cert-file and --tls-key-file",
    );
  }
  const logLevel = strings.get("log-level") ?? null;
  if (
    logLevel !== null && !["debug", "info", "warn", "error"].includes(logLevel)
  ) {
    throw new UsageError(
      `Invalid --log-level "${logLevel}": use debug, info, warn or error`,
    );
  }
  const listen = strings.get("listen") ?? null;
  if (listen !== null) parseListenAddress(listen);

  const configDir = given("config-dir");
  const config = given("config") ??
    (configDir === null ? DEFAULT_CONFIG : null);
  return {
    config,
    configDir,
    listen,
    watchConfig: booleans.get("watch-config") ?? false,
    tlsCertFile,
    tlsKeyFile,
    logLevel,
    dataDir: strings.get("data-dir") ?? null,
    version: booleans.get("version") ?? false,
    help: booleans.get("help") ?? false,
    demo: booleans.get("demo") ?? false,
    checkConfig: booleans.get("check-config") ?? false,
  };
}

/** `-name`, `--name`, `-name=value`; null for an argument that is no flag. */
function splitFlag(
  arg: string,
): { name: string; value: string | null } | null {
  if (arg.length < 2 || !arg.startsWith("-")) return null;
  const body = arg.startsWith("--") ? arg.slice(2) : arg.slice(1);
  if (body === "" || body.startsWith("-") || body.startsWith("=")) {
    throw new UsageError(`bad flag syntax: ${arg}`);
  }
  const equals = body.indexOf("=");
  return equals < 0
    ? { name: body, value: null }
    : { name: body.slice(0, equals), value: body.slice(equals + 1) };
}

function parseBoolean(name: string, value: string | null): boolean {
  if (value === null || TRUE_WORDS.has(value)) return true;
  if (FALSE_WORDS.has(value)) return false;
  throw new UsageError(
    `invalid boolean value ${
      JSON.stringify(value)
    } for -${name}: use true or false`,
  );
}

function unexpectedArgument(arg: string): never {
  throw new UsageError(
    `unexpected argument ${JSON.stringify(arg)}: every setting is a flag`,
  );
}

/** Where to listen; an empty host means every interface. */
export interface ListenAddress {
  readonly hostname: string;
  readonly port: number;
}

/** Parses `:8080`, `127.0.0.1:8080`, `[::1]:8080` or `localhost:9000`. */
export function parseListenAddress(text: string): ListenAddress {
  const match = /^(\[[^\]]*\]|[^:]*):(\d{1,5})$/.exec(text.trim());
  const port = Number(match?.[2]);
  if (!match || !Number.isInteger(port) || port > 65535) {
    throw new UsageError(
      `Invalid --listen "${text}": expected [host]:port such as ":8080"`,
    );
  }
  const host = match[1]!.replace(/^\[|\]$/g, "");
  return { hostname: host === "" ? "0.0.0.0" : host, port };
}

/** True for addresses only this machine can reach. */
export function isLoopback(hostname: string): boolean {
  return hostname === "localhost" || hostname === "::1" ||
    hostname.startsWith("127.");
}
