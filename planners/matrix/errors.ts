/**
 * A swap matrix expression could not be read.
 *
 * Thrown by `tokenize()` and `parseMatrixExpression()`; `compileMatrix()`
 * wraps it in a `MatrixError` that names the set.
 */
export class MatrixSyntaxError extends SyntaxError {
  /** Zero-based index (UTF-16 code units) into the expression text. */
  readonly offset: number;

  constructor(message: string, offset: number) {
    super(message);
    this.name = "MatrixSyntaxError";
    this.offset = offset;
  }
}

/** Where a `MatrixError` points, and what caused it. */
export interface MatrixErrorOptions {
  /** The set whose expression holds the problem. */
  setName?: string;
  /** Zero-based index into that set's expression text. */
  offset?: number;
  cause?: unknown;
}

/**
 * A swap matrix configuration is invalid.
 *
 * The message always starts with `matrix: ` and, for a problem inside one
 * set, continues with `set "<name>": `. When `setName` is present, `offset`
 * (if present too) is an index into that set's expression, so a config
 * loader can point at the exact line and column.
 */
export class MatrixError extends Error {
  readonly setName?: string;
  readonly offset?: number;

  constructor(message: string, options: MatrixErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.name = "MatrixError";
    if (options.setName !== undefined) this.setName = options.setName;
    if (options.offset !== undefined) this.offset = options.offset;
  }
}
