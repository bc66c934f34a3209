import { parseArgs } from "node:util";

/** The parsed command line of the proxy (not of `simulate`). */
export interface CliOptions {
  readonly config: string;
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

/** A command line we cannot run with; the message says what to fix. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

const LONG_NAMES = new Set([
  "config",
  "listen",
  "watch-config",
  "tls-cert-file",
  "tls-key-file",
  "log-level",
  "data-dir",
  "version",
  "help",
  "demo",
  "check-config",
]);

/**
 * Parses proxy flags. Go-style single-dash long flags (`-config x`,
 * `-watch-config`) are accepted too, so llama-swap service files keep
 * working unchanged.
 */
export function parseCliArgs(args: readonly string[]): CliOptions {
  const normalised = args.map((arg) => {
    const name = /^-([a-z][a-z-]+)(=.*)?$/.exec(arg)?.[1];
    return name && LONG_NAMES.has(name) ? `-${arg}` : arg;
  });

  let values;
  try {
    ({ values } = parseArgs({
      args: normalised,
      strict: true,
      allowPositionals: false,
      options: {
        config: { type: "string" },
        listen: { type: "string" },
        "watch-config": { type: "boolean" },
        "tls-cert-file": { type: "string" },
        "tls-key-file": { type: "string" },
        "log-level": { type: "string" },
        "data-dir": { type: "string" },
        version: { type: "boolean", short: "v" },
        help: { type: "boolean", short: "h" },
        demo: { type: "boolean" },
        "check-config": { type: "boolean" },
      },
    }));
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : `${error}`);
  }

  const tlsCertFile = values["tls-cert-file"] ?? null;
  const tlsKeyFile = values["tls-key-file"] ?? null;
  if ((tlsCertFile === null) !== (tlsKeyFile === null)) {
    throw new UsageError(
      "Cannot enable TLS: give both --tls-cert-file and --tls-key-file",
    );
  }
  const logLevel = values["log-level"] ?? null;
  if (
    logLevel !== null && !["debug", "info", "warn", "error"].includes(logLevel)
  ) {
    throw new UsageError(
      `Invalid --log-level "${logLevel}": use debug, info, warn or error`,
    );
  }
  const listen = values.listen ?? null;
  if (listen !== null) parseListenAddress(listen);

  return {
    config: values.config ?? "config.yaml",
    listen,
    watchConfig: values["watch-config"] ?? false,
    tlsCertFile,
    tlsKeyFile,
    logLevel,
    dataDir: values["data-dir"] ?? null,
    version: values.version ?? false,
    help: values.help ?? false,
    demo: values.demo ?? false,
    checkConfig: values["check-config"] ?? false,
  };
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
