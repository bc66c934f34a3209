/** The built-in simulated inference server (`llama-swap simulate`). */

/** Runs the simulator with command-line `args`; resolves to an exit code. */
export function runSimulator(_args: readonly string[]): Promise<number> {
  return Promise.resolve(1);
}
