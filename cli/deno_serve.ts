/**
 * True when this process is `deno serve <module>`, which runs the module's
 * top level with `import.meta.main` set and then serves its default
 * export. Read from `/proc/self/cmdline`; false where that is missing.
 */
export function launchedByDenoServe(): boolean {
  try {
    const argv = Deno.readTextFileSync("/proc/self/cmdline").split("\0");
    return argv[1] === "serve";
  } catch {
    return false;
  }
}

/** Splits `LLAMA_SWAP_ARGS` like a shell would, minus quoting. */
export function argsFromEnvironment(
  env: (name: string) => string | undefined = (name) => Deno.env.get(name),
): string[] {
  return (env("LLAMA_SWAP_ARGS") ?? "").split(/\s+/).filter(Boolean);
}
