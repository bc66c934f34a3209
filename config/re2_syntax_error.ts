/** An RE2 pattern that RE2 refuses, or that has no JavaScript equivalent. */
export class Re2SyntaxError extends SyntaxError {
  /** Zero-based position in the pattern of the offending text. */
  readonly offset: number;

  constructor(message: string, offset: number) {
    super(message);
    this.name = "Re2SyntaxError";
    this.offset = offset;
  }
}
