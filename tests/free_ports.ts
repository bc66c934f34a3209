/**
 * Free loopback ports for the configs of end-to-end tests and benchmarks.
 */

/** Where `freePortRange()` looks when the OS does not say. */
const DEFAULT_EPHEMERAL_START = 32_768;
const LOWEST_RANGE_PORT = 10_000;

/**
 * The first of `count` consecutive loopback ports that were all free a
 * moment ago, for a config's `startPort`. They lie below the OS's
 * ephemeral range, so the proxy's own outgoing connections cannot take
 * one while a model restarts (a port picked from that range was taken by
 * a client socket often enough to fail restarts in a long soak).
 */
export function freePortRange(count: number): number {
  const top = ephemeralStart() - count;
  for (let attempt = 0; attempt < 100; attempt++) {
    const base = LOWEST_RANGE_PORT +
      Math.floor(Math.random() * (top - LOWEST_RANGE_PORT));
    const ports = Array.from({ length: count }, (_, i) => base + i);
    if (ports.every(isFree)) return base;
  }
  throw new Error(`Cannot find ${count} free consecutive ports`);
}

/** The first port of Linux's ephemeral range, or the usual default. */
function ephemeralStart(): number {
  try {
    const range = Deno.readTextFileSync(
      "/proc/sys/net/ipv4/ip_local_port_range",
    );
    const start = Number(range.trim().split(/\s+/)[0]);
    return start > LOWEST_RANGE_PORT + 1000 ? start : DEFAULT_EPHEMERAL_START;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return DEFAULT_EPHEMERAL_START;
    throw error;
  }
}

function isFree(port: number): boolean {
  try {
    Deno.listen({ hostname: "127.0.0.1", port }).close();
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.AddrInUse) return false;
    throw error;
  }
}
