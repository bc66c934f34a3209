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

/** `RunCommand` with `Deno.Command`: stdin and stderr are discarded. */
export const runCommand: RunCommand = async (program, args, signal) => {
  const output = await new Deno.Command(program, {
    args: [...args],
    stdin: "null",
    stdout: "piped",
    stderr: "null",
    ...(signal ? { signal } : {}),
  }).output();
  return { success: output.success, stdout: decoder.decode(output.stdout) };
};

/**
 * True for the failures that mean a program cannot be run here at all:
 * it is not installed, or this process may not start it.
 */
export function isMissingProgram(error: unknown): boolean {
  return error instanceof Deno.errors.NotFound ||
    error instanceof Deno.errors.PermissionDenied ||
    error instanceof Deno.errors.NotCapable;
}
