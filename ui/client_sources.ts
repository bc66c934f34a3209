/**
 * Finds the browser files in `ui/client/`: scripts, styles and images,
 * without the tests that sit beside them. Used by the generator of
 * `client_files.ts` and by the test that keeps it current.
 */

/** File endings served to browsers. */
export const CLIENT_EXTENSIONS = [".js", ".css", ".svg"] as const;

/** The folder holding the browser files. */
export const CLIENT_DIR = new URL("./client/", import.meta.url);

/** The browser files of `dir` by name, sorted by name. Reads the disk. */
export async function readClientSources(
  dir: URL = CLIENT_DIR,
): Promise<Map<string, string>> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    if (entry.isFile && isClientFile(entry.name)) names.push(entry.name);
  }
  names.sort();

  const sources = new Map<string, string>();
  for (const name of names) {
    sources.set(name, await Deno.readTextFile(new URL(name, dir)));
  }
  return sources;
}

/** True for a file browsers load, false for tests and anything else. */
export function isClientFile(name: string): boolean {
  if (/_test\.[a-z]+$/.test(name)) return false;
  return CLIENT_EXTENSIONS.some((extension) => name.endsWith(extension));
}
