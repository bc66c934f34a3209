/** Where `resolveDataDir()` looks besides the flag. */
export interface DataDirOptions {
  /** `--demo`: the demo keeps its history in a `demo` subdirectory. */
  readonly demo?: boolean;
  readonly env?: (name: string) => string | undefined;
}

/**
 * The directory for the activity database and the process registry:
 * `--data-dir`, else `$XDG_STATE_HOME/llama-swap`, else
 * `~/.local/state/llama-swap`, with `/demo` added for the built-in demo
 * (without `--data-dir`), so its activity never mixes with a real
 * config's. Null when none can be determined (then activity lives in
 * memory and orphan reaping is off).
 */
export function resolveDataDir(
  flag: string | null,
  options: DataDirOptions = {},
): string | null {
  if (flag) return flag;
  const env = options.env ?? ((name: string) => Deno.env.get(name));
  const stateHome = env("XDG_STATE_HOME");
  const home = env("HOME");
  const base = stateHome
    ? `${stateHome}/llama-swap`
    : home
    ? `${home}/.local/state/llama-swap`
    : null;
  return base && options.demo ? `${base}/demo` : base;
}
