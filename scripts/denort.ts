/**
 * Where `deno compile` gets the runtime it wraps a program in: `denort`,
 * downloaded once per Deno version and target from dl.deno.land into
 * Deno's cache (`<DENO_DIR>/dl/release/v<version>/denort-<target>.zip`),
 * or a local binary named by `DENORT_BIN` (host target only).
 */

/** Whether `deno compile` can build for a target without a download. */
export type DenortStatus =
  | { readonly available: true; readonly source: string }
  | { readonly available: false; readonly reason: string };

/** The binary targets `deno task compile --all` builds, by file suffix. */
export const RELEASE_TARGETS: Readonly<Record<string, string>> = {
  "linux-x64": "x86_64-unknown-linux-gnu",
  "linux-arm64": "aarch64-unknown-linux-gnu",
  "macos-arm64": "aarch64-apple-darwin",
  "windows-x64": "x86_64-pc-windows-msvc",
};

/** The cached archive `deno compile` looks for before downloading. */
export function denortCachePath(
  denoDir: string,
  target: string,
  version: string = Deno.version.deno,
): string {
  return `${denoDir}/dl/release/v${version}/denort-${target}.zip`;
}

/** Deno's cache directory, as `deno info` reports it. */
export async function denoDir(): Promise<string> {
  const fromEnv = Deno.env.get("DENO_DIR");
  if (fromEnv) return fromEnv;

  const output = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json"],
    stdout: "piped",
    stderr: "null",
  }).output();
  const info = JSON.parse(new TextDecoder().decode(output.stdout)) as {
    denoDir?: string;
  };
  if (!output.success || !info.denoDir) {
    throw new Error("Cannot find Deno's cache: `deno info --json` failed");
  }
  return info.denoDir;
}

/**
 * Whether the runtime for `target` is at hand: `DENORT_BIN` (for the host
 * target) or the archive in Deno's cache. Never touches the network.
 */
export async function findDenort(
  target: string = Deno.build.target,
): Promise<DenortStatus> {
  const bin = Deno.env.get("DENORT_BIN");
  if (bin && target === Deno.build.target) {
    return { available: true, source: `DENORT_BIN=${bin}` };
  }

  const cached = denortCachePath(await denoDir(), target);
  try {
    await Deno.stat(cached);
    return { available: true, source: cached };
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  return {
    available: false,
    reason: `no denort runtime for "${target}": DENORT_BIN is not set and ` +
      `"${cached}" does not exist (deno compile downloads it from ` +
      "https://dl.deno.land)",
  };
}
