import { errorText } from "../lib/mod.ts";
import type { Logger } from "../log/mod.ts";
import { ProcessRegistry } from "../process/mod.ts";

/**
 * The process registry in `dataDir`, created if needed; null without a
 * data directory, or (logged) when the directory cannot be used, in which
 * case orphan reaping is off.
 */
export async function openRegistry(
  dataDir: string | null,
  logger: Logger,
): Promise<ProcessRegistry | null> {
  if (!dataDir) return null;
  try {
    await Deno.mkdir(dataDir, { recursive: true });
    return new ProcessRegistry(dataDir);
  } catch (error) {
    logger.warn("cannot use the data directory; orphan reaping is off", {
      dataDir,
      error: errorText(error),
    });
    return null;
  }
}
