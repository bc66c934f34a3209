/**
 * HTTPS test servers on loopback, with the certificates in `tests/tls/`.
 */

/**
 * The folder of the test certificates, ending in `/`: `ca.crt`,
 * `server.crt` and `server.key` (see its README).
 */
export const TEST_TLS_DIR = new URL("./tls/", import.meta.url).pathname;

/** The test CA's certificate (PEM): what a client must trust. */
export const TEST_CA_CERT = Deno.readTextFileSync(`${TEST_TLS_DIR}ca.crt`);

/** Path of the test CA's certificate, for `DENO_CERT`. */
export const TEST_CA_PATH = `${TEST_TLS_DIR}ca.crt`;

const SERVER_CERT = Deno.readTextFileSync(`${TEST_TLS_DIR}server.crt`);
const SERVER_KEY = Deno.readTextFileSync(`${TEST_TLS_DIR}server.key`);

/** A running HTTPS server; dispose of it (`await using`) when done. */
export interface TlsTestServer extends AsyncDisposable {
  /** `https://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  /** Client connections seen so far (by their distinct source ports). */
  readonly connections: number;
}

/**
 * `Deno.serve` over TLS on 127.0.0.1 with the test server certificate,
 * which is valid for `127.0.0.1` and `localhost`.
 */
export function startTlsServer(
  handler: (request: Request) => Response | Promise<Response>,
): TlsTestServer {
  const ports = new Set<number>();
  const server = Deno.serve({
    hostname: "127.0.0.1",
    port: 0,
    cert: SERVER_CERT,
    key: SERVER_KEY,
    onListen: () => {},
  }, (request, info) => {
    ports.add(info.remoteAddr.port);
    return handler(request);
  });
  return {
    url: `https://127.0.0.1:${server.addr.port}`,
    port: server.addr.port,
    get connections() {
      return ports.size;
    },
    async [Symbol.asyncDispose]() {
      await server.shutdown();
    },
  };
}
