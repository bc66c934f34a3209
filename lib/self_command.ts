/**
 * The argv that starts this program again, so the demo and the simulator's
 * grandchild work the same under `deno run` and from a compiled binary.
 *
 * Compiled: `[<binary>]`. Under `deno run`: `[<deno>, "run", "--allow-all",
 * <main module path>]`.
 */
export function selfCommand(): string[] {
  const exec = Deno.execPath();
  if (isCompiled()) return [exec];
  const main = new URL("../main.ts", import.meta.url);
  return [
    exec,
    "run",
    "--allow-all",
    main.protocol === "file:" ? decodeURIComponent(main.pathname) : main.href,
  ];
}

/** True when running as a `deno compile` executable. */
export function isCompiled(): boolean {
  const name = Deno.execPath().split(/[\\/]/).pop() ?? "";
  return !/^deno(\.exe)?$/i.test(name);
}

/** Quotes argv for a POSIX-split `cmd` string in a config file. */
export function shellQuote(args: readonly string[]): string {
  return args.map((arg) =>
    /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", `'"'"'`)}'`
  ).join(" ");
}
