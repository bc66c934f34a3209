/**
 * Benchmarks (`deno task bench`, `deno task soak`) and the pieces the
 * reliability, fuzz and security tests share with them: a real proxy in
 * this process or as a child process, a client for it, a seeded PRNG and
 * the soak itself.
 */
export {
  chat,
  type ChatOutcome,
  type Harness,
  type HarnessOptions,
  isQuiet,
  type Leftovers,
  parseConfig,
  simulateCommand,
  startHarness,
} from "./harness.ts";
export { Prng } from "./prng.ts";
export { freePortRange } from "../tests/free_ports.ts";
export {
  freePort,
  type ProxyChild,
  type ProxyChildOptions,
  spawnProxyChild,
  startProxyChild,
} from "./proxy_child.ts";
export { readMemory } from "./proc_status.ts";
export { runSoak, type SoakFigures, type SoakOptions } from "./soak.ts";
export { soakMarkdown, soakPassed } from "./soak_report.ts";
export type { SoakCounts } from "./soak_load.ts";
export { type RawAnswer, rawRequest } from "./raw_http.ts";
