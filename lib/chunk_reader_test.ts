import assert from "node:assert/strict";
import { chunkReader, READ_BUFFER_BYTES } from "./chunk_reader.ts";

const encoder = new TextEncoder();

async function readAll(
  source: ReadableStream<Uint8Array>,
  byteStream: boolean,
): Promise<Uint8Array[]> {
  const reader = chunkReader(source, { byteStream });
  const chunks: Uint8Array[] = [];
  for (let chunk = await reader.read(); chunk; chunk = await reader.read()) {
    chunks.push(chunk);
  }
  return chunks;
}

Deno.test("chunkReader() hands out a child's pipe in exact-size chunks of their own", async () => {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["eval", "console.log('one'); console.log('two')"],
    stdout: "piped",
    stderr: "null",
  }).spawn();

  const chunks = await readAll(child.stdout, true);
  await child.status;

  const text = chunks.map((c) => new TextDecoder().decode(c)).join("");
  assert.equal(text, "one\ntwo\n");
  for (const chunk of chunks) {
    assert.equal(chunk.buffer.byteLength, chunk.byteLength);
  }
});

Deno.test("chunkReader() splits a chunk larger than its buffer", async () => {
  let sent = false;
  const source: ReadableStream<Uint8Array> = new ReadableStream({
    type: "bytes",
    pull(controller) {
      if (!sent) {
        sent = true;
        controller.enqueue(new Uint8Array(READ_BUFFER_BYTES + 3));
        return;
      }
      controller.close();
      controller.byobRequest?.respond(0); // ends the pending BYOB read
    },
  });

  const chunks = await readAll(source, true);

  assert.deepEqual(chunks.map((c) => c.length), [READ_BUFFER_BYTES, 3]);
});

Deno.test("chunkReader() reads a stream that is no byte stream as it comes", async () => {
  const source = ReadableStream.from([
    encoder.encode("a"),
    encoder.encode("b"),
  ]);

  const chunks = await readAll(source, true);

  assert.deepEqual(chunks.map((c) => new TextDecoder().decode(c)), ["a", "b"]);
});
