// deno-lint-ignore-file no-console
/**
 * llama-swap for Deno: the command line.
 *
 * `llama-swap simulate ...` runs the built-in simulated inference server;
 * everything else is the proxy (wired in by later work).
 */
import { runSimulator } from "./simulator/mod.ts";

if (import.meta.main) {
  const args = Deno.args;
  if (args[0] === "simulate") {
    Deno.exit(await runSimulator(args.slice(1)));
  }
  console.log("llama-swap for Deno: under construction");
}
