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
 * Programs killed on an abort that have not exited yet: one stuck in a
 * driver call cannot die until the call returns, and each new run of it
 * would only join the pile.
 */
const lingering = new Set<string>();

/**
 * `RunCommand` with `Deno.Command`: stdin and stderr are discarded. An
 * abort kills the program with SIGKILL and rejects at once with the
 * signal's reason, without waiting for its exit: a program that ignores
 * SIGTERM, or hangs in a driver call where no signal reaches it, never
 * holds its caller up. Until such a killed program has exited, new runs
 * of it are refused at once, so a wedged driver keeps one process stuck,
 * not one per sample.
 */
export const runCommand: RunCommand = async (program, args, signal) => {
  signal?.throwIfAborted();
  if (lingering.has(program)) {
    throw new Error(`the last ${program} was killed and has not exited yet`);
  }
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
    if (killed(child)) {
      lingering.add(program);
      child.status.finally(() => lingering.delete(program));
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

/** Sends SIGKILL; false when the child had exited already. */
function killed(child: Deno.ChildProcess): boolean {
  try {
    child.kill("SIGKILL");
    return true;
  } catch {
    return false;
  }
}

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
