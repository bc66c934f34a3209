/**
 * Shutdown of a real `main.ts` in front of simulated models that each
 * start a grandchild: SIGTERM drains in-flight requests, stops every model
 * as a process group and exits 0; a second signal kills them all and
 * exits 1. No child or grandchild survives either way.
 */
import assert from "node:assert/strict";
import { isGone } from "./process_fixtures.ts";
import {
  chat,
  killLeftovers,
  type MainChild,
  recordedPids,
  simulatedModel,
  startMain,
} from "./ship_main_child.ts";

/** How long a killed process may take to disappear from the table. */
const GONE_WITHIN_MS = 5_000;

interface Rig extends AsyncDisposable {
  readonly main: MainChild;
  /** PIDs of every model child and grandchild recorded so far. */
  readonly pids: number[];
  /** Loads `model` and records its child's and grandchild's PIDs. */
  load(model: string): Promise<void>;
}

/** `main.ts` over models that all may run at once, each with a grandchild. */
async function startRig(models: Record<string, string[]>): Promise<Rig> {
  const dir = await Deno.makeTempDir();
  const entries = Object.entries(models).map(([id, args]) =>
    simulatedModel(id, [
      "--grandchild",
      "--pid-file",
      `${dir}/${id}.json`,
      ...args,
    ])
  );
  await Deno.writeTextFile(
    `${dir}/config.yaml`,
    [
      "healthCheckTimeout: 30",
      "models:",
      ...entries,
      "groups:",
      "  everyone:",
      "    swap: false",
      "    exclusive: false",
      `    members: [${Object.keys(models).join(", ")}]`,
      "",
    ].join("\n"),
  );
  const main = await startMain([
    "--config",
    `${dir}/config.yaml`,
    "--data-dir",
    `${dir}/data`,
  ]);
  const pids: number[] = [];
  return {
    main,
    pids,
    async load(model) {
      const response = await chat(main.url, model, { maxTokens: 1 });
      assert.equal(response.status, 200);
      await response.body?.cancel();
      pids.push(...await recordedPids(`${dir}/${model}.json`));
    },
    async [Symbol.asyncDispose]() {
      await main[Symbol.asyncDispose]();
      killLeftovers(pids);
      await Deno.remove(dir, { recursive: true });
    },
  };
}

/**
 * Resolves once none of `pids` runs any more; rejects with the survivors
 * after `GONE_WITHIN_MS`. A process SIGKILLed a moment ago may still be
 * in the table, so this looks again every few milliseconds.
 */
async function allGone(pids: readonly number[]): Promise<void> {
  const deadline = Date.now() + GONE_WITHIN_MS;
  for (;;) {
    const alive = pids.filter((pid) => !isGone(pid));
    if (alive.length === 0) return;
    if (Date.now() > deadline) {
      throw new Error(`Processes still running: ${alive.join(", ")}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function firstChunk(
  response: Response,
): Promise<ReadableStreamDefaultReader<string>> {
  const reader = response.body!.pipeThrough(new TextDecoderStream())
    .getReader();
  await reader.read();
  return reader;
}

async function readRest(
  reader: ReadableStreamDefaultReader<string>,
): Promise<string> {
  let text = "";
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return text;
    text += value;
  }
}

Deno.test("main.ts stops every model and grandchild on SIGTERM and exits 0", async () => {
  await using rig = await startRig({ alpha: [], beta: [] });
  await rig.load("alpha");
  await rig.load("beta");
  assert.equal(rig.pids.length, 4);

  rig.main.kill("SIGTERM");
  const status = await rig.main.status;

  assert.equal(status.code, 0);
  await allGone(rig.pids);
  assert.match(rig.main.output(), /\[INFO\] stopped ms=\d+/);
});

Deno.test("main.ts lets a stream in flight at SIGTERM finish before it exits", async () => {
  await using rig = await startRig({
    slow: ["--token-ms", "40", "--tokens", "30"],
  });
  await rig.load("slow");
  const stream = await chat(rig.main.url, "slow", { stream: true });
  const reader = await firstChunk(stream);

  rig.main.kill("SIGTERM");
  const rest = await readRest(reader);
  const status = await rig.main.status;

  assert.match(rest, /data: \[DONE\]/);
  assert.equal(status.code, 0);
  await allGone(rig.pids);
});

Deno.test("main.ts kills every model and exits 1 on a second signal", async () => {
  await using rig = await startRig({
    endless: ["--token-ms", "200", "--tokens", "500"],
  });
  await rig.load("endless");
  const stream = await chat(rig.main.url, "endless", { stream: true });
  const reader = await firstChunk(stream);
  rig.main.kill("SIGTERM");
  await rig.main.waitForLine(/send the signal again to force/);

  rig.main.kill("SIGINT");
  const status = await rig.main.status;

  assert.equal(status.code, 1);
  await allGone(rig.pids);
  await reader.cancel().catch(() => {});
});
