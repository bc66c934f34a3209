import type { LogToStdout } from "../config/types.ts";
import { LogBuffer } from "./log_buffer.ts";

/**
 * Every log buffer of a running proxy: the proxy's own log, the combined
 * output of all models (`upstream`), one buffer per model, and the
 * `combined` view served by `/logs`, fed according to `logToStdout`.
 *
 * Model buffers forward into `upstream`; `proxy` and `upstream` forward into
 * `combined` and the terminal as `logToStdout` says. Buffers live for the
 * whole run, so a config reload never loses history.
 */
export class LogHub {
  readonly proxy = new LogBuffer();
  readonly upstream = new LogBuffer();
  readonly combined = new LogBuffer();
  readonly #models = new Map<string, LogBuffer>();
  readonly #terminal: ((chunk: Uint8Array) => void) | null;
  #logToStdout: LogToStdout;

  constructor(
    options: {
      logToStdout?: LogToStdout;
      /** Receives what `logToStdout` selects; null keeps the terminal quiet. */
      terminal?: ((chunk: Uint8Array) => void) | null;
    } = {},
  ) {
    this.#logToStdout = options.logToStdout ?? "proxy";
    this.#terminal = options.terminal ?? null;
    this.proxy.subscribe((chunk) => this.#route("proxy", chunk));
    this.upstream.subscribe((chunk) => this.#route("upstream", chunk));
  }

  /** The model's own buffer, created on first use. */
  model(id: string): LogBuffer {
    let buffer = this.#models.get(id);
    if (!buffer) {
      buffer = new LogBuffer();
      buffer.subscribe((chunk) => this.upstream.write(chunk));
      this.#models.set(id, buffer);
    }
    return buffer;
  }

  /** The model's buffer if one was ever created. */
  existingModel(id: string): LogBuffer | undefined {
    return this.#models.get(id);
  }

  get logToStdout(): LogToStdout {
    return this.#logToStdout;
  }

  #route(source: "proxy" | "upstream", chunk: Uint8Array): void {
    const wanted = this.#logToStdout === "both" ||
      this.#logToStdout === source;
    if (!wanted) return;
    this.combined.write(chunk);
    this.#terminal?.(chunk);
  }
}
