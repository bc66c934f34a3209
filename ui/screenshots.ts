/**
 * Takes the screenshots listed in docs/ui.md: every page against a live
 * proxy with simulated models, plus one in dark mode and one at phone
 * width. Run by hand after visible UI changes:
 *
 * ```sh
 * deno run -A ui/screenshots.ts [output folder, default docs/]
 * ```
 *
 * @module
 */
import type { Page } from "playwright-core";
import {
  chromiumMissing,
  type RigModel,
  startUiRig,
  type UiRig,
} from "./browser_rig.ts";

/** A slower model, so the Playground can be caught mid-answer. */
const MODELS: readonly RigModel[] = [
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
    args: ["--load-ms", "600", "--token-ms", "70", "--tokens", "40"],
  },
  {
    id: "whisper",
    description: "Speech to text",
    args: ["--load-ms", "300", "--token-ms", "30"],
  },
];

const WAIT_MS = 30_000;

async function main(outDir: string): Promise<void> {
  const missing = chromiumMissing();
  if (missing) throw new Error(`Cannot take screenshots: ${missing}`);
  await Deno.mkdir(outDir, { recursive: true });
  const shot = (page: Page, name: string, fullPage = false) =>
    page.screenshot({ path: `${outDir}/ui-${name}.png`, fullPage });

  await using rig = await startUiRig({ models: MODELS });
  await makeActivity(rig);

  const page = await rig.newPage();
  page.setDefaultTimeout(WAIT_MS);
  await page.goto(`${rig.url}/ui/`);
  // The last request of makeActivity() left llama-8b running.
  await page.locator('[data-model="llama-8b"][data-state="ready"]').waitFor();
  await shot(page, "models");

  await page.emulateMedia({ colorScheme: "dark" });
  await shot(page, "models-dark");
  await page.emulateMedia({ colorScheme: "light" });

  await page.goto(`${rig.url}/ui/activity`);
  await page.locator("#activity-rows tr").nth(5).waitFor();
  await page.locator("#speed-chart svg polyline").nth(1).waitFor();
  await shot(page, "activity", true);

  await page.goto(`${rig.url}/ui/logs`);
  await page.locator('[data-pane="upstream"] pre', { hasText: "listening" })
    .waitFor();
  await shot(page, "logs");

  await page.goto(`${rig.url}/ui/playground`);
  await page.locator('#chat-model option[value="qwen-coder"]')
    .waitFor({ state: "attached" });
  await page.selectOption("#chat-model", "qwen-coder");
  await page.fill("#chat-input", "Write a haiku about swapping models");
  await page.locator("#chat-send").click();
  await page.locator('.message.assistant[data-state="answering"]').waitFor();
  await page.locator(".message.assistant .answer", {
    hasText: /(\S+\s+){12}/,
  }).waitFor();
  await page.locator(".message.assistant .thinking summary").click();
  await shot(page, "playground");
  await page.locator('.message.assistant[data-state="done"]').waitFor();

  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(`${rig.url}/ui/`);
  await page.locator(".model-card").nth(2).waitFor();
  await shot(page, "phone", true);
  await page.close();
}

/** Chat requests to two models in turn, some streamed, for the Activity page. */
async function makeActivity(rig: UiRig): Promise<void> {
  const plan: Array<[string, boolean]> = [
    ["llama-8b", false],
    ["qwen-coder", true],
    ["llama-8b", true],
    ["qwen-coder", false],
    ["llama-8b", true],
    ["whisper", false],
    ["llama-8b", false],
  ];
  for (const [model, stream] of plan) {
    const response = await fetch(`${rig.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({
        model,
        stream,
        messages: [{ role: "user", content: "Say something short" }],
      }),
    });
    await response.text();
    if (!response.ok) {
      throw new Error(
        `Cannot make activity: "${model}" answered ${response.status}`,
      );
    }
  }
}

if (import.meta.main) {
  await main(Deno.args[0] ?? new URL("../docs", import.meta.url).pathname);
}
