import assert from "node:assert/strict";
import { passThrough } from "./pass_through.ts";

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
  assert.deepEqual(ends, [{ cancelled: false }]);
});

Deno.test("passThrough() reports a failing source and errors the output", async () => {
  const ends: { error?: unknown; cancelled: boolean }[] = [];
  const { stream } = source(["a"], new Error("upstream crashed"));

  const out = passThrough(stream, { end: (outcome) => ends.push(outcome) });

  await assert.rejects(new Response(out).text(), /upstream crashed/);
  assert.equal(ends.length, 1);
  assert.equal((ends[0]!.error as Error).message, "upstream crashed");
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
