/**
 * nginx as a reverse proxy in front of an upstream, the yardstick for the
 * proxy benchmark's small-request throughput.
 */

/** A running nginx. Dispose of it (`await using`) when done. */
export interface NginxProxy extends AsyncDisposable {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** The master process. */
  readonly pid: number;
  /** `nginx -v`, e.g. `nginx/1.22.1`. */
  readonly version: string;
}

/** Where nginx is looked for, in order. */
const NGINX_PATHS = ["/usr/sbin/nginx", "/usr/local/sbin/nginx", "nginx"];
/** How long nginx gets to start listening. */
const LISTEN_TIMEOUT_MS = 10_000;

/**
 * Starts nginx (one worker, keep-alive to the upstream, no buffering) on
 * a free loopback port in front of `upstreamPort`; null when no nginx is
 * installed. Its files live in a temporary directory removed on disposal.
 */
export async function startNginx(
  upstreamPort: number,
): Promise<NginxProxy | null> {
  const binary = await findNginx();
  if (!binary) return null;

  const dir = await Deno.makeTempDir({ prefix: "llama-swap-nginx-" });
  const port = freePort();
  await Deno.writeTextFile(
    `${dir}/nginx.conf`,
    nginxConfig(dir, port, upstreamPort),
  );
  const child = new Deno.Command(binary.path, {
    args: ["-p", dir, "-c", `${dir}/nginx.conf`, "-e", `${dir}/error.log`],
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const stderr = new Response(child.stderr).text();

  const dispose = async () => {
    try {
      child.kill("SIGTERM"); // nginx's fast shutdown
    } catch (error) {
      if (!(error instanceof TypeError)) throw error; // already exited
    }
    await child.status;
    await stderr;
    await Deno.remove(dir, { recursive: true });
  };
  try {
    await waitUntilListening(port, child.status);
  } catch (error) {
    await dispose();
    throw new Error(`Cannot start nginx: ${await stderr}`, { cause: error });
  }
  return {
    url: `http://127.0.0.1:${port}`,
    pid: child.pid,
    version: binary.version,
    [Symbol.asyncDispose]: dispose,
  };
}

function nginxConfig(dir: string, port: number, upstreamPort: number): string {
  return `daemon off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 8192; }
http {
  access_log ${dir}/access.log;
  client_body_temp_path ${dir}/client_body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  upstream simulated { server 127.0.0.1:${upstreamPort}; keepalive 512; }
  server {
    listen 127.0.0.1:${port};
    keepalive_requests 1000000;
    location / {
      proxy_pass http://simulated;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_buffering off;
    }
  }
}
`;
}

async function findNginx(): Promise<{ path: string; version: string } | null> {
  for (const path of NGINX_PATHS) {
    try {
      const { success, stderr } = await new Deno.Command(path, {
        args: ["-v"],
        stdout: "null",
        stderr: "piped",
      }).output();
      const version = /nginx\/\S+/.exec(new TextDecoder().decode(stderr));
      if (success && version) return { path, version: version[0] };
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
  }
  return null;
}

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr;
  listener.close();
  return port;
}

/** Connects every 20 ms until `port` accepts; rejects if nginx exits. */
async function waitUntilListening(
  port: number,
  exited: Promise<Deno.CommandStatus>,
): Promise<void> {
  let gone = false;
  exited.then(() => gone = true);
  const deadline = performance.now() + LISTEN_TIMEOUT_MS;
  while (performance.now() < deadline && !gone) {
    try {
      const connection = await Deno.connect({ hostname: "127.0.0.1", port });
      connection.close();
      return;
    } catch (error) {
      if (!(error instanceof Deno.errors.ConnectionRefused)) throw error;
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(gone ? "nginx exited" : "nginx did not listen in time");
}
