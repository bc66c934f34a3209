import assert from "node:assert/strict";
import { chunkReader, READ_BUFFER_BYTES } from "../lib/mod.ts";
import {
  onPassThroughEnd,
  passThrough,
  type PassThroughEnd,
} from "./pass_through.ts";

const encoder = new TextEncoder();

function source(chunks: string[], fail?: Error) {
  let cancelled: unknown = null;
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(encoder.encode(chunk));
      if (fail) controller.error(fail);
      else controller.close();
    },
    cancel(reason) {
      cancelled = reason ?? "cancelled";
    },
  });
  return { stream, cancelled: () => cancelled };
}

Deno.test("passThrough() hands over every chunk unchanged and ends once", async () => {
  const seen: Uint8Array[] = [];
  const ends: unknown[] = [];
  const { stream } = source(["a", "bc"]);

  const out = passThrough(stream, {
    chunk: (bytes) => seen.push(bytes),
    end: (outcome) => ends.push(outcome),
  });
  const text = await new Response(out).text();

  assert.equal(text, "abc");
  assert.equal(seen.length, 2);
  assert.deepEqual(ends, [{ bytes: 3, cancelled: false }]);
});

Deno.test("passThrough() reports a failing source and errors the output", async () => {
  const ends: { error?: unknown; cancelled: boolean }[] = [];
  const { stream } = source(["a"], new Error("upstream crashed"));

  const out = passThrough(stream, { end: (outcome) => ends.push(outcome) });

  // The output fails with one line (Deno's server prints it), the hook
  // hears the error itself.
  await assert.rejects(
    new Response(out).text(),
    (reason) =>
      reason === "response to the client broken off: upstream crashed",
  );
  assert.equal(ends.length, 1);
  assert.equal((ends[0]!.error as Error).message, "upstream crashed");
});

Deno.test("passThrough() around another says once that the response broke off", async () => {
  const { stream } = source([], new Error("upstream crashed"));
  const inner = passThrough(stream, { end() {} });

  const outer = passThrough(inner, { end() {} });

  await assert.rejects(
    new Response(outer).text(),
    (reason) =>
      reason === "response to the client broken off: upstream crashed",
  );
});

Deno.test("passThrough() passes a reader's cancel to the source and ends once", async () => {
  const ends: { cancelled: boolean }[] = [];
  const { stream, cancelled } = source(["a", "b"]);
  const out = passThrough(stream, { end: (outcome) => ends.push(outcome) });
  const reader = out.getReader();

  await reader.read();
  await reader.cancel("client left");

  assert.equal(cancelled(), "client left");
  assert.deepEqual(ends.map((e) => e.cancelled), [true]);
});

function byteSource(chunks: Uint8Array[]): ReadableStream<Uint8Array> {
  let next = 0;
  return new ReadableStream({
    type: "bytes",
    pull(controller) {
      const chunk = chunks[next++];
      if (chunk) {
        controller.enqueue(chunk);
        return;
      }
      controller.close();
      controller.byobRequest?.respond(0); // ends the pending BYOB read
    },
  });
}

Deno.test("passThrough() reads a byte stream in buffer-sized chunks, each its own copy", async () => {
  const bigLength = READ_BUFFER_BYTES + 10; // enqueue detaches `big`
  const big = new Uint8Array(bigLength).fill(7);
  const seen: Uint8Array[] = [];
  const ends: PassThroughEnd[] = [];
  const reader = chunkReader(byteSource([encoder.encode("data: 1\n\n"), big]), {
    byteStream: true,
  });
  const out = passThrough(reader, {
    chunk: (bytes) => seen.push(bytes),
    end: (outcome) => ends.push(outcome),
  });

  const body = new Uint8Array(await new Response(out).arrayBuffer());

  assert.equal(body.length, 9 + bigLength);
  assert.equal(new TextDecoder().decode(seen[0]), "data: 1\n\n");
  assert.deepEqual(seen.slice(1).map((c) => c.length), [READ_BUFFER_BYTES, 10]);
  assert.equal(new Set(seen.map((c) => c.buffer)).size, seen.length);
  assert.deepEqual(ends, [{ bytes: body.length, cancelled: false }]);
});

Deno.test("onPassThroughEnd() shares the wrapper's end, also after it ended", async () => {
  const out = passThrough(source(["ab", "c"]).stream, { end: () => {} });
  const early: PassThroughEnd[] = [];
  const late: PassThroughEnd[] = [];

  assert.equal(onPassThroughEnd(out, (end) => early.push(end)), true);
  await new Response(out).text();
  assert.equal(onPassThroughEnd(out, (end) => late.push(end)), true);

  assert.deepEqual(early, [{ bytes: 3, cancelled: false }]);
  assert.deepEqual(late, early);
  assert.equal(onPassThroughEnd(source(["x"]).stream, () => {}), false);
});

Deno.test("passThrough() reads a source that is no byte stream as usual when asked for one", async () => {
  const ends: PassThroughEnd[] = [];
  const reader = chunkReader(source(["a", "b"]).stream, { byteStream: true });
  const out = passThrough(reader, { end: (outcome) => ends.push(outcome) });

  assert.equal(await new Response(out).text(), "ab");
  assert.deepEqual(ends, [{ bytes: 2, cancelled: false }]);
});
