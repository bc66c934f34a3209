/** The release this source tree builds. */
export const VERSION = "0.1.0";

/** What `--version` and `GET /api/version` report. */
export interface BuildInfo {
  readonly version: string;
  readonly commit: string;
  readonly buildDate: string;
}

const BUILD_INFO_URL = new URL("../dist/build_info.json", import.meta.url);

/**
 * Reads the build information `deno task compile` embeds in the binary;
 * from a source checkout it asks git for the commit instead.
 */
export async function readBuildInfo(): Promise<BuildInfo> {
  try {
    const text = await Deno.readTextFile(BUILD_INFO_URL);
    const parsed = JSON.parse(text) as Partial<BuildInfo>;
    return {
      version: parsed.version ?? VERSION,
      commit: parsed.commit ?? "unknown",
      buildDate: parsed.buildDate ?? "unknown",
    };
  } catch {
    return { version: VERSION, commit: await gitCommit(), buildDate: "source" };
  }
}

async function gitCommit(): Promise<string> {
  try {
    const output = await new Deno.Command("git", {
      args: ["rev-parse", "--short", "HEAD"],
      cwd: new URL("..", import.meta.url),
      stdout: "piped",
      stderr: "null",
    }).output();
    const commit = new TextDecoder().decode(output.stdout).trim();
    return output.success && commit ? commit : "unknown";
  } catch {
    return "unknown";
  }
}
