import { errorText } from "../lib/mod.ts";
import type { Clock } from "../lib/mod.ts";

/** Where a connection goes. */
export interface DialTarget {
  readonly hostname: string;
  readonly port: number;
  /** As written in the URL, for messages: `host:port`. */
  readonly authority: string;
  /** `https://`: TLS over the TCP connection. */
  readonly secure: boolean;
}

export interface DialOptions {
  /** Aborting it gives the attempt up (rejects with its reason). */
  readonly signal: AbortSignal;
  /** No TCP connection within this many ms fails; 0 = as the system does. */
  readonly connectTimeoutMs: number;
  /** No finished TLS handshake within this many ms fails; 0 = no limit. */
  readonly tlsHandshakeMs: number;
  readonly clock: Clock;
  /** Opens the TCP connection (`Deno.connect`, or a test's own). */
  readonly tcp: (
    at: { hostname: string; port: number },
  ) => Promise<Deno.TcpConn>;
  /**
   * Certificates trusted besides Deno's root store (which `DENO_CERT` and
   * `DENO_TLS_CA_STORE` extend, as they do for `fetch`).
   */
  readonly caCerts: readonly string[] | undefined;
}

/**
 * Opens a connection to an upstream: TCP with no delay and keep-alive on,
 * then, for `https://`, a TLS session offering only HTTP/1.1 and checking
 * the certificate against the URL's host name. Each step has its own
 * limit. Rejects with the signal's reason when it aborts, otherwise with
 * an `Error` that names the step and the upstream.
 *
 * A handshake given up on closes its socket only once the other side
 * closes it too: Deno's TLS stream waits for the handshake before it lets
 * the socket go. That costs one socket per peer that accepts connections
 * and then never speaks TLS, until that peer hangs up.
 */
export async function dialUpstream(
  target: DialTarget,
  options: DialOptions,
): Promise<Deno.Conn> {
  options.signal.throwIfAborted();
  const tcp = await connectTcp(target, options);
  tcp.setNoDelay(true);
  tcp.setKeepAlive(true);
  return target.secure ? await startTls(tcp, target, options) : tcp;
}

async function connectTcp(
  target: DialTarget,
  options: DialOptions,
): Promise<Deno.TcpConn> {
  const limit = deadline(options, options.connectTimeoutMs, "no connection");
  const connecting = options.tcp({
    hostname: target.hostname,
    port: target.port,
  });
  try {
    return await Promise.race([connecting, limit.passed]);
  } catch (error) {
    connecting.then(closeQuietly, () => {}); // one that opens after all
    if (options.signal.aborted) throw options.signal.reason;
    throw new Error(
      `cannot connect to ${target.authority}: ${errorText(error)}`,
      { cause: error },
    );
  } finally {
    limit.cancel();
  }
}

async function startTls(
  tcp: Deno.TcpConn,
  target: DialTarget,
  options: DialOptions,
): Promise<Deno.TlsConn> {
  const limit = deadline(options, options.tlsHandshakeMs, "no TLS handshake");
  const starting = Deno.startTls(tcp, {
    hostname: target.hostname,
    alpnProtocols: ["http/1.1"],
    ...(options.caCerts ? { caCerts: [...options.caCerts] } : {}),
  });
  let tls: Deno.TlsConn | null = null;
  try {
    tls = await Promise.race([starting, limit.passed]);
    await Promise.race([tls.handshake(), limit.passed]);
    return tls;
  } catch (error) {
    if (tls) closeQuietly(tls);
    else starting.then(closeQuietly, () => closeQuietly(tcp));
    if (options.signal.aborted) throw options.signal.reason;
    throw new Error(
      `TLS handshake with ${target.authority} failed: ${errorText(error)}`,
      { cause: error },
    );
  } finally {
    limit.cancel();
  }
}

/**
 * A promise that rejects when the signal aborts or, for `ms` > 0, once
 * `ms` pass (with "<what> within N s"); `cancel()` stops both.
 */
function deadline(options: DialOptions, ms: number, what: string) {
  const { signal, clock } = options;
  const given = Promise.withResolvers<never>();
  given.promise.catch(() => {}); // a race that was won leaves it unread
  const onAbort = () => given.reject(signal.reason);
  signal.addEventListener("abort", onAbort, { once: true });
  const cancelTimer = ms > 0
    ? clock.setTimer(
      () => given.reject(new Error(`${what} within ${ms / 1000} s`)),
      ms,
    )
    : null;
  return {
    passed: given.promise,
    cancel: () => {
      cancelTimer?.();
      signal.removeEventListener("abort", onAbort);
    },
  };
}

function closeQuietly(conn: Deno.Conn): void {
  try {
    conn.close();
  } catch {
    // closed already
  }
}
