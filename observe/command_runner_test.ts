import assert from "node:assert/strict";
import { isMissingProgram, runCommand } from "./command_runner.ts";

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

Deno.test("runCommand() gives up on an abort at once, even for a program that ignores SIGTERM", async () => {
  const abort = new AbortController();
  const reason = new DOMException("too slow", "TimeoutError");
  const running = runCommand(
    "sh",
    ["-c", 'trap "" TERM; exec sleep 30'], // still ignoring TERM
    abort.signal,
  );

  abort.abort(reason);

  await assert.rejects(running, (error) => error === reason);
});

Deno.test("runCommand() refuses to start with a signal already aborted", async () => {
  const abort = new AbortController();
  abort.abort(new Error("closed"));

  await assert.rejects(runCommand("sh", ["-c", "exit 0"], abort.signal), {
    message: "closed",
  });
});
