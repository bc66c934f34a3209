import { errorText } from "../lib/mod.ts";
import { dirname } from "node:path";
import type { Issues } from "./issues.ts";
import { entryOf, type YMap } from "./yaml_tree.ts";

/**
 * Says why `store.path` cannot hold the activity database, or null when it
 * can. Called once per load (start, `--check-config`, reload).
 */
export type StorePathProbe = (path: string) => string | null;

/**
 * The file system check llama-swap runs on `store.path` at load, with its
 * texts: an existing path must be a regular file we may open for writing
 * (a FIFO, socket or device is refused before any open);
 * a missing one needs a directory we may create a file in (tried with a
 * temporary file that is removed at once); any other failure to stat the
 * path is reported as it is.
 */
export function probeStorePath(path: string): string | null {
  let info: Deno.FileInfo;
  try {
    info = Deno.statSync(path);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) return errorText(error);
    return probeDirectory(dirname(path));
  }

  if (info.isDirectory) return `${path} is a directory, not a file`;
  // Opening a FIFO for writing would block until a reader comes, and a
  // device is no database: only regular files are opened.
  if (!info.isFile) return `${path} is not a regular file`;
  try {
    Deno.openSync(path, { write: true }).close();
  } catch (error) {
    return `${path} is not writable: ${errorText(error)}`;
  }
  return null;
}

function probeDirectory(directory: string): string | null {
  let probe: string;
  try {
    probe = Deno.makeTempFileSync({
      dir: directory,
      prefix: ".llama-swap-store-",
    });
  } catch (error) {
    return `directory ${directory} is not writable: ${errorText(error)}`;
  }
  try {
    Deno.removeSync(probe);
  } catch (error) {
    // Gone already: the directory took the file, which is all we asked.
    if (!(error instanceof Deno.errors.NotFound)) {
      return `directory ${directory} is writable, but its probe file ${probe} cannot be removed: ${
        errorText(error)
      }`;
    }
  }
  return null;
}

/**
 * Runs `probe` on the loaded `storePath` and reports its complaint at the
 * `store.path` value of `root`.
 */
export function checkStorePath(
  issues: Issues,
  root: YMap,
  storePath: string,
  probe: StorePathProbe,
): void {
  const problem = probe(storePath);
  if (problem === null) return;

  const store = entryOf(root, "store")?.value;
  const node = store?.kind === "map" ? entryOf(store, "path")?.value : store;
  issues.error(node?.span.start ?? 0, "store.path", problem);
}
