import assert from "node:assert/strict";
import { LogBuffer } from "./log_buffer.ts";

Deno.test("LogBuffer.text() returns what was written", () => {
  const buffer = new LogBuffer();

  buffer.write("hello ");
  buffer.write(new TextEncoder().encode("world"));

  assert.equal(buffer.text(), "hello world");
});

Deno.test("LogBuffer keeps only the newest bytes up to its capacity", () => {
  const buffer = new LogBuffer(10);

  buffer.write("0123456");
  buffer.write("789abc");

  assert.equal(buffer.text(), "3456789abc");
  buffer.write("this chunk alone is longer than ten bytes");
  assert.equal(buffer.text(), " ten bytes");
});

Deno.test("LogBuffer.subscribe() delivers later writes until unsubscribed", () => {
  const buffer = new LogBuffer();
  const seen: string[] = [];
  buffer.write("before");

  const unsubscribe = buffer.subscribe((chunk) =>
    seen.push(new TextDecoder().decode(chunk))
  );
  buffer.write("one");
  unsubscribe();
  buffer.write("two");

  assert.deepEqual(seen, ["one"]);
});

Deno.test("LogBuffer drops a listener that throws and keeps writing", () => {
  const buffer = new LogBuffer();
  buffer.subscribe(() => {
    throw new Error("broken listener");
  });

  buffer.write("a");
  buffer.write("b");

  assert.equal(buffer.subscriberCount, 0);
  assert.equal(buffer.text(), "ab");
});

Deno.test("LogBuffer keeps its own copy of a chunk that views a larger buffer", () => {
  const buffer = new LogBuffer();
  const read = new Uint8Array(64 * 1024); // as a pipe read hands it out
  read.set(new TextEncoder().encode("ready\n"));
  const line = read.subarray(0, 6);

  buffer.write(line);
  read.fill(0);

  assert.equal(buffer.text(), "ready\n");
});

Deno.test("LogBuffer keeps the exact tail over many more lines than it holds", () => {
  const buffer = new LogBuffer(1000);
  const lines: string[] = [];
  for (let i = 0; i < 20_000; i++) {
    const line = `line ${i}\n`;
    lines.push(line);
    buffer.write(line);
  }

  const all = lines.join("");
  assert.equal(buffer.text(), all.slice(all.length - 1000));
  assert.equal(buffer.history().byteLength, 1000);
});

Deno.test("LogBuffer hands every listener the same exact-size copy of a view", () => {
  const buffer = new LogBuffer();
  const seen: Uint8Array[] = [];
  buffer.subscribe((chunk) => seen.push(chunk));
  buffer.subscribe((chunk) => seen.push(chunk));
  const pipeRead = new Uint8Array(64 * 1024);
  pipeRead.set(new TextEncoder().encode("line\n"));

  buffer.write(pipeRead.subarray(0, 5));

  assert.equal(seen.length, 2);
  assert.equal(seen[0], seen[1]);
  assert.equal(seen[0]!.buffer.byteLength, 5);
  assert.equal(new TextDecoder().decode(seen[0]), "line\n");
});
