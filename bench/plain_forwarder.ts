/**
 * The proxy benchmark's second yardstick: the least a Hono proxy can do. It
 * parses the JSON body (a proxy must, to find the model), forwards it with
 * `fetch` and hands the upstream's body back untouched, which lets Deno pipe
 * it natively. No router, no observer, no log.
 *
 *     deno run -A bench/plain_forwarder.ts --route small=http://127.0.0.1:PORT
 *
 * prints `listening on http://127.0.0.1:<port>` once it serves.
 */
import { Hono } from "hono";
import { parseArgs } from "node:util";

/** A running forwarder child. Dispose of it (`await using`) when done. */
export interface PlainForwarder extends AsyncDisposable {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly pid: number;
}

const LISTENING = /^listening on (http:\/\/\S+)$/m;

/**
 * Starts the forwarder as a child process; `routes` maps each model name
 * to its upstream's base URL.
 */
export async function startPlainForwarder(
  routes: Readonly<Record<string, string>>,
): Promise<PlainForwarder> {
  const flags = Object.entries(routes).flatMap(([model, url]) => [
    "--route",
    `${model}=${url}`,
  ]);
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", new URL(import.meta.url).pathname, ...flags],
    stdin: "null",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const dispose = async () => {
    try {
      child.kill("SIGKILL");
    } catch (error) {
      if (!(error instanceof TypeError)) throw error; // already exited
    }
    await child.status;
  };

  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let output = "";
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`it exited first: ${output.trim()}`);
      output += value;
      const url = LISTENING.exec(output)?.[1];
      if (url) {
        void reader.cancel(); // nothing else is printed
        return { url, pid: child.pid, [Symbol.asyncDispose]: dispose };
      }
    }
  } catch (error) {
    await dispose();
    throw new Error("Cannot start the plain forwarder", { cause: error });
  }
}

/** Serves until killed. */
function serve(routes: ReadonlyMap<string, string>): void {
  const app = new Hono();
  app.post("*", async (c) => {
    const body = await c.req.json<{ model?: unknown }>();
    const upstream = typeof body.model === "string"
      ? routes.get(body.model)
      : undefined;
    if (upstream === undefined) return c.text("unknown model", 404);
    const answer = await fetch(`${upstream}${c.req.path}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    return new Response(answer.body, {
      status: answer.status,
      headers: answer.headers,
    });
  });
  Deno.serve({
    hostname: "127.0.0.1",
    port: 0,
    onListen: ({ port }) => {
      Deno.stdout.writeSync(
        new TextEncoder().encode(`listening on http://127.0.0.1:${port}\n`),
      );
    },
  }, app.fetch);
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: { route: { type: "string", multiple: true, default: [] } },
  });
  const routes = new Map<string, string>();
  for (const route of values.route) {
    const at = route.indexOf("=");
    if (at < 1) throw new Error(`Cannot serve: bad --route "${route}"`);
    routes.set(route.slice(0, at), route.slice(at + 1));
  }
  serve(routes);
}
