import assert from "node:assert/strict";
import { FakeClock } from "../tests/fake_clock.ts";
import { TerminalWriter } from "./terminal_writer.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function recorder() {
  const writes: string[] = [];
  return {
    writes,
    sink: (bytes: Uint8Array) => {
      writes.push(decoder.decode(bytes));
      return bytes.byteLength;
    },
  };
}

Deno.test("TerminalWriter writes the lines of one moment together, in order, after its delay", () => {
  const clock = new FakeClock();
  const { writes, sink } = recorder();
  const writer = new TerminalWriter(sink, { delayMs: 5, clock });

  writer.write(encoder.encode("one\n"));
  writer.write(encoder.encode("two\n"));
  assert.deepEqual(writes, []);
  clock.tick(4);
  assert.deepEqual(writes, []);
  clock.tick(1);
  assert.deepEqual(writes, ["one\ntwo\n"]);

  writer.write(encoder.encode("three\n"));
  clock.tick(5);
  assert.deepEqual(writes, ["one\ntwo\n", "three\n"]);
  assert.equal(clock.pendingTimers, 0);
});

Deno.test("TerminalWriter writes at once when maxBytes are waiting or on flush()", () => {
  const clock = new FakeClock();
  const { writes, sink } = recorder();
  const writer = new TerminalWriter(sink, { maxBytes: 8, clock });

  writer.write(encoder.encode("1234"));
  writer.write(encoder.encode("5678"));
  assert.deepEqual(writes, ["12345678"]);
  assert.equal(clock.pendingTimers, 0);

  writer.write(encoder.encode("last"));
  writer.flush();
  assert.deepEqual(writes, ["12345678", "last"]);
  assert.equal(clock.pendingTimers, 0);
  writer.flush();
  assert.equal(writes.length, 2, "nothing waiting, nothing written");
});

Deno.test("TerminalWriter finishes partial writes and survives a closed stdout", () => {
  const clock = new FakeClock();
  const taken: string[] = [];
  let fail = false;
  const writer = new TerminalWriter((bytes) => {
    if (fail) throw new Deno.errors.BrokenPipe("stdout closed");
    const part = bytes.subarray(0, 3);
    taken.push(decoder.decode(part));
    return part.byteLength;
  }, { clock });

  writer.write(encoder.encode("abcdefgh"));
  writer.flush();
  assert.deepEqual(taken, ["abc", "def", "gh"]);

  fail = true;
  writer.write(encoder.encode("lost"));
  writer.flush();
  fail = false;
  writer.write(encoder.encode("next"));
  writer.flush();
  assert.deepEqual(taken.slice(3), ["nex", "t"]);
});
