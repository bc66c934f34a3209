/**
 * A real proxy in front of simulated models, with the UI mounted, and a
 * headless Chromium to look at it. For `tests/ui_browser_test.ts` and
 * `ui/screenshots.ts` only; nothing in the product imports it.
 *
 * @module
 */
import { type BrowserContext, chromium, type Page } from "playwright-core";
import { loadConfig } from "../config/mod.ts";
import { selfCommand, shellQuote } from "../lib/mod.ts";
import { createObservability } from "../observe/mod.ts";
import { ProxyServer } from "../serve/mod.ts";
import { mountUi } from "./mod.ts";

/** Debian's Chromium; Playwright never downloads a browser here. */
export const CHROMIUM_PATH = "/usr/bin/chromium";

const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/**
 * Why the browser tests cannot run here, or null when they can: they need
 * Debian's `chromium` package (`apt-get install -y chromium`).
 */
export function chromiumMissing(): string | null {
  try {
    Deno.statSync(CHROMIUM_PATH);
    return null;
  } catch {
    return `${CHROMIUM_PATH} is missing; install Debian's chromium package to run the UI browser tests`;
  }
}

/** One simulated model of the rig. */
export interface RigModel {
  readonly id: string;
  readonly name?: string;
  readonly description?: string;
  readonly aliases?: readonly string[];
  /** Flags after `simulate --port N --model <id>`. */
  readonly args?: readonly string[];
}

/** The three models the test and the screenshots use by default. */
export const RIG_MODELS: readonly RigModel[] = [
  {
    id: "llama-8b",
    name: "Llama 8B",
    description: "General chat, fast",
    aliases: ["chat"],
    args: ["--load-ms", "300", "--token-ms", "20"],
  },
  {
    id: "qwen-coder",
    name: "Qwen Coder 14B",
    description: "Code completion and review",
    args: ["--load-ms", "300", "--token-ms", "20"],
  },
  {
    id: "whisper",
    description: "Speech to text",
    args: ["--load-ms", "300", "--token-ms", "20"],
  },
];

export interface UiRigOptions {
  readonly models?: readonly RigModel[];
  /** `apiKeys` of the config; none by default. */
  readonly apiKeys?: readonly string[];
  /** Browser viewport; 1280 x 800 by default. */
  readonly viewport?: { readonly width: number; readonly height: number };
}

/** The running proxy and browser; dispose of it to stop both. */
export interface UiRig extends AsyncDisposable {
  readonly server: ProxyServer;
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly context: BrowserContext;
  /** A new tab. */
  newPage(): Promise<Page>;
}

/**
 * Starts the proxy on a free loopback port with the UI and observability
 * mounted, then Chromium with a fresh profile in a temporary directory.
 * Whatever started is stopped again if a later step fails.
 */
export async function startUiRig(options: UiRigOptions = {}): Promise<UiRig> {
  const server = await ProxyServer.start({
    config: rigConfig(options.models ?? RIG_MODELS, options.apiKeys ?? []),
    hostname: "127.0.0.1",
    port: 0,
    dataDir: null,
    buildInfo: { version: "0.0.0-rig", commit: "rig", buildDate: "now" },
    observability: createObservability,
    ui: (app) => mountUi(app),
  });

  let profile: string | null = null;
  try {
    profile = await Deno.makeTempDir({ prefix: "llama-swap-ui-" });
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM_PATH,
      args: CHROMIUM_ARGS,
      viewport: options.viewport ?? { width: 1280, height: 800 },
    });
    const dir = profile;
    return {
      server,
      url: server.url,
      context,
      newPage: () => context.newPage(),
      async [Symbol.asyncDispose]() {
        try {
          await context.close();
        } finally {
          await server.shutdown(5_000);
          await Deno.remove(dir, { recursive: true });
        }
      },
    };
  } catch (error) {
    await server.shutdown(5_000);
    if (profile) await Deno.remove(profile, { recursive: true });
    throw error;
  }
}

/** A config whose models run the simulator on free loopback ports. */
function rigConfig(models: readonly RigModel[], apiKeys: readonly string[]) {
  const lines = [
    "healthCheckTimeout: 30",
    "logToStdout: none",
    "sendLoadingState: true",
  ];
  if (apiKeys.length > 0) {
    lines.push(
      "apiKeys:",
      ...apiKeys.map((key) => `  - ${JSON.stringify(key)}`),
    );
  }
  lines.push("models:");
  for (const model of models) {
    const port = freePort();
    const argv = [
      ...selfCommand(),
      "simulate",
      "--port",
      String(port),
      "--model",
      model.id,
      ...model.args ?? [],
    ];
    lines.push(
      `  ${JSON.stringify(model.id)}:`,
      `    cmd: ${JSON.stringify(shellQuote(argv))}`,
      `    proxy: http://127.0.0.1:${port}`,
      "    unloadTimeout: 2",
    );
    if (model.name) lines.push(`    name: ${JSON.stringify(model.name)}`);
    if (model.description) {
      lines.push(`    description: ${JSON.stringify(model.description)}`);
    }
    if (model.aliases?.length) {
      lines.push(`    aliases: ${JSON.stringify(model.aliases)}`);
    }
  }

  const loaded = loadConfig(lines.join("\n") + "\n");
  if (!loaded.ok) {
    throw new Error(
      `Cannot load the UI rig's config: ${JSON.stringify(loaded.errors)}`,
    );
  }
  return loaded.config;
}

/** A port nothing listens on right now (the OS picks it). */
function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}
