import type { ReadTextFile } from "./process_stats.ts";

/**
 * The text of `path`, or null when it is missing or this process may not
 * read it (a host without `/proc`, a denied permission). Other failures
 * reject.
 */
export async function readOptional(
  path: string,
  readTextFile: ReadTextFile,
): Promise<string | null> {
  try {
    return await readTextFile(path);
  } catch (error) {
    const expected = error instanceof Deno.errors.NotFound ||
      error instanceof Deno.errors.PermissionDenied ||
      error instanceof Deno.errors.NotCapable ||
      error instanceof Deno.errors.NotADirectory;
    if (expected) return null;
    throw error;
  }
}
