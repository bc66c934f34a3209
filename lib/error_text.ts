/**
 * The message of an `Error`, or anything else as a string: what logs and
 * error answers say about a failure.
 */
export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
