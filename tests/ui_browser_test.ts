/**
 * The web UI in headless Chromium against a real proxy whose models are
 * simulated inference servers (real child processes): loading and
 * unloading from the Models page, a streamed Playground answer, live Logs
 * (following, pausing when scrolled up, one model's log) and Activity
 * pages, in-flight and waiting counts, and the API key prompt.
 *
 * Needs Debian's `chromium` at /usr/bin/chromium; without it these tests
 * are ignored, and their names say why.
 */
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { chromiumMissing, startUiRig, type UiRig } from "../ui/browser_rig.ts";

const missing = chromiumMissing();
/** How long one browser wait may take before the step fails. */
const WAIT_MS = 20_000;

/**
 * Browser-side script for `page.evaluate()`: records in
 * `globalThis.answerLengths` every length the Playground's answer passes
 * through, so the test can tell a streamed answer from one that arrived
 * whole.
 */
const RECORD_ANSWER_LENGTHS = `
  globalThis.answerLengths = [];
  new MutationObserver(() => {
    const answer = document.querySelector(".message.assistant .answer");
    const length = answer?.textContent?.length ?? 0;
    const lengths = globalThis.answerLengths;
    if (length > 0 && lengths.at(-1) !== length) lengths.push(length);
  }).observe(document.getElementById("chat-log"), {
    subtree: true,
    childList: true,
    characterData: true,
  });
`;

function browserTest(
  name: string,
  fn: (t: Deno.TestContext) => Promise<void>,
): void {
  Deno.test({
    name: missing ? `${name} (ignored: ${missing})` : name,
    ignore: missing !== null,
    fn,
  });
}

/** A tab on `path` that remembers its uncaught script errors. */
async function openPage(rig: UiRig, path: string): Promise<Page> {
  const page = await rig.newPage();
  page.setDefaultTimeout(WAIT_MS);
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(error.message));
  pageErrors.set(page, errors);
  await page.goto(`${rig.url}${path}`);
  return page;
}

const pageErrors = new WeakMap<Page, string[]>();

function assertNoPageErrors(page: Page): void {
  assert.deepEqual(pageErrors.get(page) ?? [], []);
}

async function postChat(rig: UiRig, model: string): Promise<void> {
  const response = await fetch(`${rig.url}/v1/chat/completions`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({
      model,
      messages: [{ role: "user", content: "hello" }],
    }),
  });
  await response.body?.cancel();
  assert.equal(response.status, 200);
}

async function modelsLoadAndUnload(rig: UiRig): Promise<void> {
  const page = await openPage(rig, "/ui/");
  const card = page.locator('[data-model="llama-8b"]');

  await page.locator(".model-card").nth(2).waitFor();
  const names = await page.locator(".model-name").allTextContents();
  assert.deepEqual(names, ["Llama 8B", "Qwen Coder 14B", "whisper"]);
  assert.equal(await card.locator(".aliases").textContent(), "Aliases: chat");
  assert.equal(await card.locator(".state").textContent(), "stopped");

  await card.locator("button.load").click();
  await page.locator('[data-model="llama-8b"][data-state="ready"]').waitFor();
  assert.equal(await card.locator(".state").textContent(), "ready");

  await card.locator("button.unload").click();
  await page.locator('[data-model="llama-8b"][data-state="stopped"]')
    .waitFor();
  assert.equal(await card.locator("button.load").isEnabled(), true);
  assert.equal(rig.server.runtime.processes.get("llama-8b")?.state, "stopped");
  assertNoPageErrors(page);
  await page.close();
}

async function themeSticks(rig: UiRig): Promise<void> {
  const page = await openPage(rig, "/ui/activity");
  const button = page.locator("#theme-button");
  const root = page.locator("html");
  assert.equal(await root.getAttribute("data-theme"), null);

  await button.click();
  await button.click();
  await page.reload();
  await button.waitFor();

  assert.equal(await root.getAttribute("data-theme"), "dark");
  assert.equal(await button.textContent(), "Theme: dark");
  await button.click();
  assert.equal(await root.getAttribute("data-theme"), null);
  assertNoPageErrors(page);
  await page.close();
}

async function playgroundStreams(rig: UiRig): Promise<void> {
  const page = await openPage(rig, "/ui/playground");
  await page.locator('#chat-model option[value="qwen-coder"]')
    .waitFor({ state: "attached" });
  await page.selectOption("#chat-model", "qwen-coder");
  await page.evaluate(RECORD_ANSWER_LENGTHS);

  await page.fill("#chat-input", "Tell me about rivers");
  await page.locator("#chat-send").click();
  await page.locator('.message.assistant[data-state="done"]').waitFor();

  const reply = page.locator(".message.assistant");
  assert.match(
    await reply.locator(".thinking pre").textContent() ?? "",
    /qwen-coder/,
  );
  const answer = await reply.locator(".answer").textContent() ?? "";
  assert.ok(answer.trim().split(/\s+/).length >= 5, `answer: "${answer}"`);
  const lengths = await page.evaluate("globalThis.answerLengths") as number[];
  assert.ok(lengths.length >= 3, `the answer came in ${lengths.length} steps`);
  assert.equal(
    await page.locator(".message.user").textContent(),
    "Tell me about rivers",
  );
  assertNoPageErrors(page);
  await page.close();
}

async function activityUpdates(rig: UiRig): Promise<void> {
  const page = await openPage(rig, "/ui/activity");
  const rows = page.locator("#activity-rows tr");

  await rows.first().waitFor();
  const first = await rows.first().locator("td").allTextContents();
  assert.deepEqual(first.slice(2, 5), [
    "qwen-coder",
    "/v1/chat/completions",
    "200",
  ]);
  await page.locator("#speed-chart svg circle").first().waitFor();
  const before = await rows.count();

  await postChat(rig, "whisper");
  await rows.nth(before).waitFor();
  const newest = await rows.first().locator("td").allTextContents();
  assert.equal(newest[2], "whisper");
  assert.equal(
    await page.locator("#stat-requests").textContent(),
    String(before + 1),
  );
  assertNoPageErrors(page);
  await page.close();
}

async function logsFollow(rig: UiRig): Promise<void> {
  const page = await openPage(rig, "/ui/logs");
  await page.setViewportSize({ width: 1280, height: 500 });
  const proxyLog = page.locator('[data-pane="proxy"] pre');
  const jump = page.locator('[data-pane="proxy"] button.follow');
  await page.locator('[data-pane="proxy"] pre', { hasText: "swap" }).waitFor();

  const marker = await requestMarker(rig);
  await page.locator('[data-pane="proxy"] pre', { hasText: marker }).waitFor();
  assert.match(await proxyLog.textContent() ?? "", /status=404/);
  const upstream = page.locator('[data-pane="upstream"] pre');
  assert.match(await upstream.textContent() ?? "", /simulator listening/);
  assert.equal(await jump.isVisible(), false);

  await proxyLog.hover();
  await page.mouse.wheel(0, -10_000);
  await jump.waitFor();
  const later = await requestMarker(rig);
  await page.locator('[data-pane="proxy"] pre', { hasText: later }).waitFor();
  assert.equal(await jump.isVisible(), true, "a new line scrolled the pane");
  await jump.click();
  await jump.waitFor({ state: "hidden" });
  assertNoPageErrors(page);
  await page.close();
}

/** Makes the proxy log a line holding a new marker; returns the marker. */
async function requestMarker(rig: UiRig): Promise<string> {
  const marker = `/ui-log-marker-${crypto.randomUUID()}`;
  const response = await fetch(`${rig.url}${marker}`);
  await response.body?.cancel();
  return marker;
}

async function modelLog(rig: UiRig): Promise<void> {
  const page = await openPage(rig, "/ui/logs");
  await page.locator('#log-source option[value="llama-8b"]')
    .waitFor({ state: "attached" });

  await page.selectOption("#log-source", "llama-8b");
  const modelPane = page.locator('[data-pane="model"] pre');
  await page.locator('[data-pane="model"] pre', {
    hasText: "model=llama-8b",
  }).waitFor();

  assert.equal(await page.locator('[data-pane="proxy"]').isHidden(), true);
  assert.doesNotMatch(await modelPane.textContent() ?? "", /model=qwen-coder/);
  assert.match(page.url(), /\?model=llama-8b$/);
  assertNoPageErrors(page);
  await page.close();
}

browserTest("UI pages drive and follow a live proxy", async (t) => {
  await using rig = await startUiRig();

  await t.step(
    "the Models page loads a model, sees it ready, then unloads it",
    () => modelsLoadAndUnload(rig),
  );
  await t.step(
    "the theme button switches to dark and the choice survives a reload",
    () => themeSticks(rig),
  );
  await t.step(
    "the Playground streams the loading remarks, then the answer",
    () => playgroundStreams(rig),
  );
  await t.step(
    "the Activity page lists requests, draws the chart and adds new ones live",
    () => activityUpdates(rig),
  );
  await t.step(
    "the Logs page shows the history, then new lines as they are written",
    () => logsFollow(rig),
  );
  await t.step(
    "the Logs page shows one model's own log when that model is picked",
    () => modelLog(rig),
  );
});

browserTest(
  "UI asks for the API key, keeps it and sends it with every call",
  async () => {
    await using rig = await startUiRig({ apiKeys: ["sk-ui-right"] });
    const page = await openPage(rig, "/ui/");
    const dialog = page.locator("#key-dialog[open]");
    const save = page.locator('#key-dialog button[value="save"]');

    await dialog.waitFor();
    await page.fill("#key-input", "sk-ui-wrong");
    await save.click();
    await page.locator("#key-reason", { hasText: "did not accept" }).waitFor();
    await dialog.waitFor();
    await page.fill("#key-input", "sk-ui-right");
    await save.click();
    await page.locator(".model-card").nth(2).waitFor();
    await page.locator('#connection[data-status="open"]').waitFor();

    const stored = await page.evaluate(
      'localStorage.getItem("llama-swap.apiKey")',
    );
    assert.equal(stored, "sk-ui-right");
    await page.reload();
    await page.locator(".model-card").nth(2).waitFor();
    assert.equal(await page.locator("#key-dialog").getAttribute("open"), null);
    assertNoPageErrors(page);
  },
);

browserTest(
  "UI shows requests in flight and waiting while a swap must wait",
  async () => {
    await using rig = await startUiRig({
      models: [
        { id: "slow", args: ["--token-ms", "100", "--tokens", "30"] },
        { id: "next", args: ["--token-ms", "10"] },
      ],
    });
    const page = await openPage(rig, "/ui/");
    await page.locator('#connection[data-status="open"]').waitFor();
    const streamed = await fetch(`${rig.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({
        model: "slow",
        stream: true,
        messages: [{ role: "user", content: "take your time" }],
      }),
    });
    const reader = streamed.body!.getReader();
    await reader.read();

    const waiting = postChat(rig, "next");
    await page.locator("#queue-depth", { hasText: "1" }).waitFor();
    const slowCounts = await page.locator('[data-model="slow"] .counts')
      .textContent();
    const nextCounts = await page.locator('[data-model="next"] .counts')
      .textContent();
    const queue = await page.locator("#queue-list li").allTextContents();
    while (!(await reader.read()).done) { /* drain the slow answer */ }
    await waiting;
    await page.locator('[data-model="next"][data-state="ready"]').waitFor();
    await page.locator("#queue-depth", { hasText: "0" }).waitFor();
    await page.locator("#inflight-count", { hasText: "0" }).waitFor();

    assert.equal(slowCounts, "1 in flight");
    assert.equal(nextCounts, "1 in flight · 1 waiting");
    assert.equal(queue.length, 1);
    assert.match(queue[0]!, /^next: waiting /);
    assert.equal(await page.locator("#queue-section").isHidden(), true);
    assertNoPageErrors(page);
  },
);
