/** What a finished helper command printed and how it ended. */
export interface CommandOutput {
  /** True when it exited with status 0. */
  readonly success: boolean;
  readonly stdout: string;
}

/**
 * Runs a program (no shell) to completion. Rejects with
 * `Deno.errors.NotFound` when the program is not installed; an abort of
 * `signal` kills it. Tests pass a fake instead of starting processes.
 */
export type RunCommand = (
  program: string,
  args: readonly string[],
  signal?: AbortSignal,
) => Promise<CommandOutput>;

const decoder = new TextDecoder();

/**
 * `RunCommand` with `Deno.Command`: stdin and stderr are discarded. An
 * abort kills the program with SIGKILL and rejects at once with the
 * signal's reason, without waiting for its exit: a program that ignores
 * SIGTERM, or hangs in a driver call where no signal reaches it, never
 * holds its caller up.
 */
export const runCommand: RunCommand = async (program, args, signal) => {
  signal?.throwIfAborted();
  const child = new Deno.Command(program, {
    args: [...args],
    stdin: "null",
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const output = child.output();
  if (!signal) return finished(await output);

  const aborted = Promise.withResolvers<never>();
  const onAbort = () => {
    try {
      child.kill("SIGKILL");
    } catch {
      // it has exited already
    }
    aborted.reject(signal.reason);
  };
  signal.addEventListener("abort", onAbort, { once: true });
  try {
    return finished(await Promise.race([output, aborted.promise]));
  } finally {
    signal.removeEventListener("abort", onAbort);
    output.catch(() => {}); // a killed program's output is not wanted
  }
};

function finished(output: Deno.CommandOutput): CommandOutput {
  return { success: output.success, stdout: decoder.decode(output.stdout) };
}

/**
 * True for the failures that mean a program cannot be run here at all:
 * it is not installed, or this process may not start it.
 */
export function isMissingProgram(error: unknown): boolean {
  return error instanceof Deno.errors.NotFound ||
    error instanceof Deno.errors.PermissionDenied ||
    error instanceof Deno.errors.NotCapable;
}
