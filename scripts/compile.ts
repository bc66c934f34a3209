/**
 * `deno task compile`: builds the single `llama-swap` binary.
 *
 * Writes `dist/build_info.json` (version, commit, build date), which
 * `lib/version.ts` reads and `--include` embeds, then runs `deno compile`
 * with the permissions fixed at build time. The web UI, its client
 * scripts and the loading remarks are TypeScript modules, so they are in
 * the binary without further flags.
 *
 * @example
 * ```sh
 * deno task compile                 # dist/llama-swap for this machine
 * deno task compile --all           # also dist/llama-swap-<target>
 * deno task compile --out-dir /tmp  # put the binaries elsewhere
 * ```
 */
import { parseArgs } from "node:util";
import { VERSION } from "../lib/mod.ts";
import { findDenort, RELEASE_TARGETS } from "./denort.ts";

const ROOT = new URL("..", import.meta.url).pathname;
const BUILD_INFO = "dist/build_info.json";

/**
 * What the binary may do, fixed at compile time: serve and call upstreams
 * on any address, start any model command, read configs, TLS files and
 * /proc, write the data directory, and read the environment (`${env.X}`
 * macros, HOME and XDG paths; children inherit it). Addresses, commands
 * and paths all come from the user's config, so none can be narrowed
 * further; nothing else (ffi, sys) is granted.
 */
export const BINARY_PERMISSIONS: readonly string[] = [
  "--allow-net",
  "--allow-run",
  "--allow-read",
  "--allow-write",
  "--allow-env",
];

/** Runs the compile; resolves to the exit code. */
export async function compileMain(args: readonly string[]): Promise<number> {
  const { values } = parseArgs({
    args: [...args],
    options: {
      all: { type: "boolean" },
      "out-dir": { type: "string" },
    },
  });
  const outDir = values["out-dir"] ?? `${ROOT}dist`;
  await Deno.mkdir(outDir, { recursive: true });
  await Deno.mkdir(`${ROOT}dist`, { recursive: true });

  const info = {
    version: VERSION,
    commit: await gitCommit(),
    buildDate: new Date().toISOString(),
  };
  await Deno.writeTextFile(`${ROOT}${BUILD_INFO}`, JSON.stringify(info));
  report(`building llama-swap ${info.version} (${info.commit})`);
  try {
    return await compileAll(outDir, values.all ?? false);
  } finally {
    // Embedded by now; from a source checkout `--version` asks git again.
    await Deno.remove(`${ROOT}${BUILD_INFO}`);
  }
}

async function compileAll(outDir: string, all: boolean): Promise<number> {
  const builds: Array<[string, string]> = [
    [`${outDir}/llama-swap`, Deno.build.target],
  ];
  if (all) {
    for (const [suffix, target] of Object.entries(RELEASE_TARGETS)) {
      const exe = target.includes("windows") ? ".exe" : "";
      builds.push([`${outDir}/llama-swap-${suffix}${exe}`, target]);
    }
  }
  for (const [output, target] of builds) {
    if (!await compileOne(output, target)) return 1;
  }
  return 0;
}

/** Compiles for `target` into `output`; false (reported) on failure. */
async function compileOne(output: string, target: string): Promise<boolean> {
  const result = await new Deno.Command(Deno.execPath(), {
    args: [
      "compile",
      "--no-check",
      // openai and playwright-core are for tests only.
      "--exclude-unused-npm",
      "--target",
      target,
      "--output",
      output,
      "--include",
      BUILD_INFO,
      ...BINARY_PERMISSIONS,
      "main.ts",
    ],
    cwd: ROOT,
    stdout: "inherit",
    stderr: "piped",
  }).output();
  const errors = new TextDecoder().decode(result.stderr);
  if (result.success) {
    report(`wrote ${output}`);
    return true;
  }

  const denort = await findDenort(target);
  if (!denort.available) {
    report(
      `Cannot compile for "${target}": deno compile needs its runtime ` +
        `(denort), which is not cached here and could not be downloaded.\n` +
        `  ${denort.reason}\n` +
        "  Fix: allow access to https://dl.deno.land, or set DENORT_BIN to " +
        "a denort binary of this Deno version, or place the archive at the " +
        "path above.",
    );
  } else {
    report(`Cannot compile for "${target}":\n${errors.trim()}`);
  }
  return false;
}

async function gitCommit(): Promise<string> {
  try {
    const output = await new Deno.Command("git", {
      args: ["rev-parse", "--short", "HEAD"],
      cwd: ROOT,
      stdout: "piped",
      stderr: "null",
    }).output();
    const commit = new TextDecoder().decode(output.stdout).trim();
    return output.success && commit ? commit : "unknown";
  } catch {
    return "unknown";
  }
}

function report(line: string): void {
  Deno.stderr.writeSync(new TextEncoder().encode(`compile: ${line}\n`));
}

if (import.meta.main) {
  Deno.exit(await compileMain(Deno.args));
}
