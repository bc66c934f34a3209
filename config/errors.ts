/**
 * One problem found while loading a config file, positioned at the YAML node
 * that caused it.
 */
export interface ConfigError {
  /** The file name as given to the loader, `config.yaml` by default. */
  readonly file: string;
  /** 1-based line of the offending node in the file as written. */
  readonly line: number;
  /** 1-based column of the offending node in the file as written. */
  readonly column: number;
  /** Dotted key path such as `models.qwen.ttl` or `apiKeys[1]`; "" = the file. */
  readonly path: string;
  /** What is wrong, in lower case, without a final period. */
  readonly message: string;
}

/**
 * Renders an error the way compilers do, so editors can jump to it:
 * `config.yaml:12:7: models.qwen.ttl: must be a number of seconds >= 0, got "soon"`.
 */
export function formatConfigError(error: ConfigError): string {
  const where = `${error.file}:${error.line}:${error.column}`;
  return error.path === ""
    ? `${where}: ${error.message}`
    : `${where}: ${error.path}: ${error.message}`;
}
