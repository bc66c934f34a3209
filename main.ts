// deno-lint-ignore-file no-console
/**
 * llama-swap for Deno: the command line. Later work wires the server here.
 */
if (import.meta.main) {
  console.log("llama-swap for Deno: under construction");
}
