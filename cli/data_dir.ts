/**
 * The directory for the activity database and the process registry:
 * `--data-dir`, else `$XDG_STATE_HOME/llama-swap`, else
 * `~/.local/state/llama-swap`. Null when none can be determined (then
 * activity lives in memory and orphan reaping is off).
 */
export function resolveDataDir(
  flag: string | null,
  env: (name: string) => string | undefined = (name) => Deno.env.get(name),
): string | null {
  if (flag) return flag;
  const stateHome = env("XDG_STATE_HOME");
  if (stateHome) return `${stateHome}/llama-swap`;
  const home = env("HOME");
  return home ? `${home}/.local/state/llama-swap` : null;
}
