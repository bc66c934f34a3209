import assert from "node:assert/strict";
import { delay } from "../lib/mod.ts";
import { isGone } from "../tests/process_fixtures.ts";
import { tempDir } from "../tests/temp_dir.ts";
import { isMissingProgram, runCommand } from "./command_runner.ts";

/** Waits for `pid` to exit (a zombie counts), looking every 10 ms. */
async function goneWithin(pid: number, ms: number): Promise<boolean> {
  for (let waited = 0; waited < ms; waited += 10) {
    if (isGone(pid)) return true;
    await delay(10);
  }
  return isGone(pid);
}

Deno.test("runCommand() returns what the program printed and whether it succeeded", async () => {
  const ok = await runCommand("sh", ["-c", "echo hello"]);
  const failed = await runCommand("sh", ["-c", "echo partial; exit 3"]);

  assert.deepEqual(ok, { success: true, stdout: "hello\n" });
  assert.deepEqual(failed, { success: false, stdout: "partial\n" });
});

Deno.test("runCommand() rejects with NotFound for a missing program", async () => {
  const error = await runCommand("no-such-program-here", []).catch((e) => e);

  assert.ok(isMissingProgram(error), String(error));
});

Deno.test("runCommand() gives up on an abort at once and kills a program that ignores SIGTERM", async () => {
  await using dir = await tempDir();
  const ready = `${dir.path}/ready`;
  await new Deno.Command("mkfifo", { args: [ready] }).output();
  const abort = new AbortController();
  const reason = new DOMException("too slow", "TimeoutError");
  const running = runCommand(
    "sh",
    ["-c", `trap "" TERM; echo $$ > "${ready}"; exec sleep 30`],
    abort.signal,
  );
  // Opening the FIFO waits for the script, which has set its trap by then.
  const pid = Number((await Deno.readTextFile(ready)).trim());

  abort.abort(reason);

  await assert.rejects(running, (error) => error === reason);
  assert.ok(await goneWithin(pid, 5000), "the program outlived SIGKILL");
});

Deno.test("runCommand() refuses to start with a signal already aborted", async () => {
  const abort = new AbortController();
  abort.abort(new Error("closed"));

  await assert.rejects(runCommand("sh", ["-c", "exit 0"], abort.signal), {
    message: "closed",
  });
});
