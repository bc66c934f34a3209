import assert from "node:assert/strict";
import { LogTail, stripAnsi } from "./log_tail.js";

Deno.test("stripAnsi() removes colours and terminal titles but keeps the text", () => {
  const text = "\x1b[1;32mINFO\x1b[0m ready\x1b]0;llama\x07 done\x1b[2K";

  assert.equal(stripAnsi(text), "INFO ready done");
});

Deno.test("LogTail.append() keeps everything below the limit", () => {
  const tail = new LogTail(100);

  const first = tail.append("one\n");
  const second = tail.append("two\n");

  assert.equal(tail.text, "one\ntwo\n");
  assert.equal(first || second, false);
});

Deno.test("LogTail.append() cuts to nine tenths of the limit at a line start", () => {
  const tail = new LogTail(100);
  const line = "x".repeat(9) + "\n";

  for (let i = 0; i < 10; i++) tail.append(line);
  const trimmed = tail.append(line);

  assert.equal(trimmed, true);
  assert.ok(tail.text.length <= 90, `kept ${tail.text.length} chars`);
  assert.ok(tail.text.startsWith("x"));
  assert.ok(tail.text.endsWith("\n"));
});

Deno.test("LogTail.append() cuts mid-line when no line start is near", () => {
  const tail = new LogTail(100);

  tail.append("y".repeat(150));

  assert.equal(tail.text, "y".repeat(90));
});
