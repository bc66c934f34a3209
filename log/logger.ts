import type { LogLevel } from "../config/types.ts";
import { type Clock, systemClock } from "../lib/mod.ts";
import { timeFormatter } from "./time_format.ts";

const RANK: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

/** Values shown after the message as `key=value`. */
export type LogFields = Record<
  string,
  string | number | boolean | null | undefined | readonly unknown[]
>;

/** Where finished lines go, e.g. a `LogBuffer`. */
export interface LogSink {
  write(line: string): void;
}

/** Settings shared by a logger and all its children, changed on reload. */
interface LoggerSettings {
  level: LogLevel;
  format: ((ms: number) => string) | null;
  readonly sink: LogSink;
  readonly clock: Clock;
}

export interface LoggerOptions {
  level?: LogLevel;
  /** A `logTimeFormat` name such as `rfc3339`; "" for no timestamps. */
  timeFormat?: string;
  clock?: Clock;
}

/**
 * Writes lines such as `[INFO] router: swap started model=qwen evict=a`.
 *
 * Children made with `child()` add a component prefix and share the level
 * and time format, so `configure()` on any of them applies to all.
 */
export class Logger {
  #settings: LoggerSettings;
  #component = "";

  constructor(sink: LogSink, options: LoggerOptions = {}) {
    this.#settings = {
      level: options.level ?? "info",
      format: timeFormatter(options.timeFormat ?? ""),
      sink,
      clock: options.clock ?? systemClock,
    };
  }

  /** A logger that prefixes its lines with `component: `. */
  child(component: string): Logger {
    const child = new Logger(this.#settings.sink);
    child.#settings = this.#settings;
    child.#component = component;
    return child;
  }

  /** Applies a new level and time format (config reload). */
  configure(options: { level?: LogLevel; timeFormat?: string }): void {
    if (options.level) this.#settings.level = options.level;
    if (options.timeFormat !== undefined) {
      this.#settings.format = timeFormatter(options.timeFormat);
    }
  }

  get level(): LogLevel {
    return this.#settings.level;
  }

  enabled(level: LogLevel): boolean {
    return RANK[level] >= RANK[this.#settings.level];
  }

  debug(message: string, fields?: LogFields): void {
    this.log("debug", message, fields);
  }

  info(message: string, fields?: LogFields): void {
    this.log("info", message, fields);
  }

  warn(message: string, fields?: LogFields): void {
    this.log("warn", message, fields);
  }

  error(message: string, fields?: LogFields): void {
    this.log("error", message, fields);
  }

  log(level: LogLevel, message: string, fields?: LogFields): void {
    if (!this.enabled(level)) return;
    const settings = this.#settings;
    const time = settings.format
      ? `[${settings.format(settings.clock.now())}] `
      : "";
    const prefix = this.#component ? `${this.#component}: ` : "";
    const line = `${time}[${level.toUpperCase()}] ${prefix}${message}`;
    settings.sink.write(`${line}${formatFields(fields)}\n`);
  }
}

/** Renders fields as ` key=value`, quoting values that contain spaces. */
export function formatFields(fields: LogFields | undefined): string {
  if (!fields) return "";
  let out = "";
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    out += ` ${key}=${formatValue(value)}`;
  }
  return out;
}

function formatValue(value: LogFields[string]): string {
  const text = Array.isArray(value) ? value.join(",") : String(value);
  return text === "" || /[\s"=]/.test(text) ? JSON.stringify(text) : text;
}

/** A logger that drops everything, for tests that do not read logs. */
export const silentLogger: Logger = new Logger({ write() {} }, {
  level: "error",
});
