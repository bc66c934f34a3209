/**
 * The simulator as a real child process: flags that change how the process
 * lives and dies, seen from outside as a proxy would see them.
 */
import assert from "node:assert/strict";
import { delay, selfCommand } from "../lib/mod.ts";
import { startSimulator } from "./testing.ts";

function chat(url: string, body: Record<string, unknown>): Promise<Response> {
  return fetch(`${url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      messages: [{ role: "user", content: "tell me about llamas" }],
      ...body,
    }),
  });
}

/** Calls `probe` until it returns true, at most `tries` times. */
async function eventually(
  probe: () => Promise<boolean> | boolean,
  tries = 200,
): Promise<void> {
  for (let i = 0; i < tries; i++) {
    if (await probe()) return;
    await delay(10);
  }
  assert.fail("Condition not met in time");
}

/** Signal 0 checks that a process exists without signalling it. */
const EXISTS = 0 as unknown as Deno.Signal;

function isAlive(pid: number): boolean {
  try {
    Deno.kill(pid, EXISTS);
    return !isZombie(pid);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}

/** True when `pid` has exited but not yet been reaped by its parent. */
function isZombie(pid: number): boolean {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    return stat.slice(stat.lastIndexOf(")") + 2).startsWith("Z");
  } catch {
    return false;
  }
}

Deno.test("simulate answers health and chat once it listens", async () => {
  await using sim = await startSimulator({ args: ["--model", "llama-8b"] });

  const health = await fetch(`${sim.url}/health`);
  const reply = await chat(sim.url, {});
  const body = await reply.json();

  assert.equal(health.status, 200);
  assert.deepEqual(await health.json(), { status: "ok" });
  assert.equal(reply.status, 200);
  assert.equal(body.model, "llama-8b");
  assert.equal(body.usage.completion_tokens, 12);
  assert.match(
    sim.stderrText(),
    /simulator listening on http:\/\/127\.0\.0\.1:\d+/,
  );
  assert.match(
    await sim.waitForLine("path=/v1/chat/completions"),
    /method=POST path=\/v1\/chat\/completions model=llama-8b status=200/,
  );
});

Deno.test("simulate --load-ms answers 503 until the load time has passed", async () => {
  const spawned = Date.now();
  await using sim = await startSimulator({ args: ["--load-ms", "1500"] });

  const first = await fetch(`${sim.url}/health`);
  assert.equal(first.status, 503);
  assert.deepEqual(await first.json(), { status: "loading model" });

  await eventually(async () => {
    const res = await fetch(`${sim.url}/health`);
    await res.body?.cancel();
    return res.status === 200;
  }, 1_000);
  assert.ok(Date.now() - spawned >= 1500);
});

Deno.test("simulate --never-healthy keeps answering 503", async () => {
  await using sim = await startSimulator({ args: ["--never-healthy"] });

  const res = await fetch(`${sim.url}/health`);

  assert.equal(res.status, 503);
  assert.deepEqual(await res.json(), { status: "loading model" });
});

Deno.test("simulate --stop-ms exits 0 after the delay on SIGTERM", async () => {
  await using sim = await startSimulator({ args: ["--stop-ms", "300"] });

  const sent = Date.now();
  sim.kill("SIGTERM");
  const status = await sim.status;

  assert.equal(status.code, 0);
  assert.ok(Date.now() - sent >= 300);
  assert.match(
    sim.stderrText(),
    /stopping on signal signal=SIGTERM stop_ms=300/,
  );
});

Deno.test("simulate --ignore-sigterm survives SIGTERM until SIGKILL", async () => {
  await using sim = await startSimulator({ args: ["--ignore-sigterm"] });

  sim.kill("SIGTERM");
  await sim.waitForLine("ignoring stop signal");
  const health = await fetch(`${sim.url}/health`);
  await health.body?.cancel();
  sim.kill("SIGKILL");
  const status = await sim.status;

  assert.equal(health.status, 200);
  assert.equal(status.signal, "SIGKILL");
});

Deno.test("simulate --crash-after exits 70 once that many replies were sent", async () => {
  await using sim = await startSimulator({ args: ["--crash-after", "2"] });

  const first = await chat(sim.url, {});
  const firstBody = await first.json();
  const second = await chat(sim.url, { stream: true });
  const secondBody = await second.text();
  const status = await sim.status;

  assert.equal(firstBody.choices[0].finish_reason, "stop");
  assert.ok(secondBody.endsWith("data: [DONE]\n\n"));
  assert.equal(status.code, 70);
  assert.match(sim.stderrText(), /simulated crash after answering requests/);
  await assert.rejects(chat(sim.url, {}));
});

Deno.test("simulate --crash-after delivers its last whole reply before it exits", async () => {
  await using sim = await startSimulator({ args: ["--crash-after", "2"] });

  const bodies = [];
  for (let i = 0; i < 2; i++) {
    bodies.push(await (await chat(sim.url, {})).json());
  }
  const status = await sim.status;

  assert.deepEqual(
    bodies.map((body) => body.choices[0].finish_reason),
    ["stop", "stop"],
  );
  assert.equal(status.code, 70);
});

Deno.test("simulate --crash-mid-stream drops the stream and exits 71", async () => {
  await using sim = await startSimulator({
    args: ["--crash-mid-stream", "3", "--tokens", "8"],
  });

  const res = await chat(sim.url, { stream: true });
  let received = "";
  const reading = (async () => {
    for await (const text of res.body!.pipeThrough(new TextDecoderStream())) {
      received += text;
    }
  })();

  await assert.rejects(reading);
  assert.equal((await sim.status).code, 71);
  assert.equal(received.split("\n\n").filter((f) => f !== "").length, 3);
  assert.ok(!received.includes("[DONE]"));
});

Deno.test("simulate --exit-after-ms exits 1 while loading", async () => {
  await using sim = await startSimulator({
    args: ["--exit-after-ms", "500", "--load-ms", "60000"],
  });

  const status = await sim.status;

  assert.equal(status.code, 1);
  assert.match(sim.stderrText(), /simulated exit while loading after_ms=500/);
});

Deno.test("simulate --grandchild keeps a grandchild in its group until the group is killed", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const pidFile = `${dir}/pids.json`;
    await using sim = await startSimulator({
      args: ["--grandchild", "--pid-file", pidFile],
    });
    const pids = JSON.parse(await Deno.readTextFile(pidFile));

    assert.equal(pids.pid, sim.pid);
    assert.ok(isAlive(pids.grandchildPid));

    sim.killGroup("SIGTERM");
    await sim.status;
    await sim.closed;
    await eventually(() => !isAlive(pids.grandchildPid));

    assert.ok(!isAlive(sim.pid));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("simulate --pid-file without --grandchild writes only our pid", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const pidFile = `${dir}/pid.json`;
    await using sim = await startSimulator({ args: ["--pid-file", pidFile] });

    const pids = JSON.parse(await Deno.readTextFile(pidFile));

    assert.deepEqual(pids, { pid: sim.pid });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("simulate --chatty writes that many KiB to both pipes before listening", async () => {
  await using sim = await startSimulator({ args: ["--chatty", "512"] });

  // The harness saw the listening line; the other pipe may still be in
  // transit, so read both to their end.
  sim.kill("SIGKILL");
  await sim.closed;
  const lines = (text: string) => text.split("\n");
  const chatter = (text: string) =>
    lines(text).filter((line) => line.startsWith("chatter line ")).length;
  const listening = (text: string) =>
    lines(text).findIndex((line) => line.includes("simulator listening on"));
  const lastChatter = (text: string) =>
    lines(text).findLastIndex((line) => line.startsWith("chatter line "));

  assert.equal(chatter(sim.stdoutText()), 512 * 16);
  assert.equal(chatter(sim.stderrText()), 512 * 16);
  const pipe = [sim.stdoutText(), sim.stderrText()].find((text) =>
    listening(text) >= 0
  );
  assert.ok(pipe !== undefined, "no listening line");
  assert.ok(listening(pipe) > lastChatter(pipe));
});

Deno.test("simulate stops generating when the client disconnects", async () => {
  await using sim = await startSimulator({
    args: ["--token-ms", "20", "--tokens", "1000"],
  });

  const res = await chat(sim.url, { stream: true });
  const reader = res.body!.getReader();
  await reader.read();
  await reader.cancel();
  const line = await sim.waitForLine("request cancelled");
  const stats = await (await fetch(`${sim.url}/debug/stats`)).json();

  assert.match(line, /path=\/v1\/chat\/completions/);
  assert.deepEqual(stats, { requests: 1, cancelled: 1, active: 0 });
});

Deno.test("simulate /debug/slow stops waiting when the client disconnects", async () => {
  await using sim = await startSimulator();
  const abort = new AbortController();

  const request = fetch(`${sim.url}/debug/slow?ms=60000`, {
    signal: abort.signal,
  });
  await eventually(async () => {
    const stats = await (await fetch(`${sim.url}/debug/stats`)).json();
    return stats.active === 1;
  });
  abort.abort();
  await assert.rejects(request);
  await sim.waitForLine("request cancelled");
  const stats = await (await fetch(`${sim.url}/debug/stats`)).json();

  assert.deepEqual(stats, { requests: 1, cancelled: 1, active: 0 });
});

Deno.test("simulate rejects an unknown flag with exit code 2", async () => {
  const [command, ...args] = selfCommand();

  const output = await new Deno.Command(command!, {
    args: [...args, "simulate", "--port", "0", "--bogus"],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();

  assert.equal(output.code, 2);
  assert.match(new TextDecoder().decode(output.stderr), /--bogus/);
});

Deno.test("simulate --help prints the usage and exits 0", async () => {
  const [command, ...args] = selfCommand();

  const output = await new Deno.Command(command!, {
    args: [...args, "simulate", "--help"],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();

  assert.equal(output.code, 0);
  assert.match(new TextDecoder().decode(output.stdout), /--crash-mid-stream N/);
});
