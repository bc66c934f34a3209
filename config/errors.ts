/**
 * One problem found while loading a config file, positioned at the YAML node
 * that caused it.
 */
export interface ConfigError {
  /** The file name as given to the loader, `config.yaml` by default. */
  readonly file: string;
  /**
   * 1-based line of the offending node in the file as written; 0 for a
   * problem with the file as a whole (it cannot be read, say).
   */
  readonly line: number;
  /** 1-based column of the offending node in the file as written; 0 with line 0. */
  readonly column: number;
  /** Dotted key path such as `models.qwen.ttl` or `apiKeys[1]`; "" = the file. */
  readonly path: string;
  /** What is wrong, in lower case, without a final period. */
  readonly message: string;
}

/**
 * Renders an error the way compilers do, so editors can jump to it:
 * `config.yaml:12:7: models.qwen.ttl: must be a number of seconds >= 0, got "soon"`.
 * Without a line it is `file: message`, without a file only the message.
 */
export function formatConfigError(error: ConfigError): string {
  const where = error.line === 0
    ? error.file
    : `${error.file}:${error.line}:${error.column}`;
  const what = error.path === ""
    ? error.message
    : `${error.path}: ${error.message}`;
  return where === "" ? what : `${where}: ${what}`;
}
