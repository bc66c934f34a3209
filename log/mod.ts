/** Log history buffers, the leveled logger and timestamp formats. */
export {
  DEFAULT_LOG_HISTORY_BYTES,
  LogBuffer,
  type LogListener,
} from "./log_buffer.ts";
export {
  formatFields,
  type LogFields,
  Logger,
  type LoggerOptions,
  type LogSink,
  silentLogger,
} from "./logger.ts";
export { TIME_FORMAT_NAMES, timeFormatter } from "./time_format.ts";
export { LogHub } from "./log_hub.ts";
export {
  TerminalWriter,
  type TerminalWriterOptions,
} from "./terminal_writer.ts";
