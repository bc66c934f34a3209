import { selfCommand, shellQuote } from "../lib/mod.ts";

interface DemoModel {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly alias: string;
  readonly loadMs: number;
  readonly tokenMs: number;
}

const DEMO_MODELS: readonly DemoModel[] = [
  {
    id: "demo-fast",
    name: "Demo Fast",
    description: "Loads in under a second and answers quickly",
    alias: "fast",
    loadMs: 800,
    tokenMs: 25,
  },
  {
    id: "demo-chat",
    name: "Demo Chat",
    description: "A mid-sized chat model that takes a moment to load",
    alias: "chat",
    loadMs: 2500,
    tokenMs: 45,
  },
  {
    id: "demo-large",
    name: "Demo Large",
    description: "A slow, heavy model: watch the loading remarks",
    alias: "large",
    loadMs: 6000,
    tokenMs: 70,
  },
];

/**
 * The built-in demo config: three simulated models in one swapping group,
 * started through this same program, so swapping can be seen with no GPU
 * and no config file.
 */
export function demoConfigText(
  command: readonly string[] = selfCommand(),
): string {
  const prefix = shellQuote([...command, "simulate"]);
  const models = DEMO_MODELS.map((m) =>
    [
      `  ${m.id}:`,
      `    name: "${m.name}"`,
      `    description: "${m.description}"`,
      `    aliases: [${m.alias}]`,
      `    cmd: ${prefix} --port \${PORT} --model ${m.id}` +
      ` --load-ms ${m.loadMs} --token-ms ${m.tokenMs} --tokens 40`,
      `    ttl: 600`,
    ].join("\n")
  ).join("\n");

  return [
    "# Built-in demo: three simulated models that swap in and out.",
    "healthCheckTimeout: 30",
    "sendLoadingState: true",
    "includeAliasesInList: false",
    "models:",
    models,
    "groups:",
    "  demo:",
    "    swap: true",
    "    exclusive: true",
    `    members: [${DEMO_MODELS.map((m) => m.id).join(", ")}]`,
    "",
  ].join("\n");
}
