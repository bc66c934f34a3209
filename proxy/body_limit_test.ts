import assert from "node:assert/strict";
import { readBodyWithin, WHOLE_READ_BYTES } from "./body_limit.ts";
import { HttpError } from "./errors.ts";

function streamOf(chunks: string[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(encoder.encode(chunk));
      controller.close();
    },
  });
}

Deno.test("readBodyWithin() returns the whole body under the limit", async () => {
  const request = new Request("http://x/", {
    method: "POST",
    body: streamOf(["hello ", "world"]),
  });

  const bytes = await readBodyWithin(request, 11);

  assert.equal(new TextDecoder().decode(bytes!), "hello world");
});

Deno.test("readBodyWithin() returns null for a request without a body", async () => {
  assert.equal(await readBodyWithin(new Request("http://x/"), 10), null);
});

Deno.test("readBodyWithin() refuses a declared length over the limit before reading", async () => {
  let pulled = false;
  const body = new ReadableStream<Uint8Array>({
    pull() {
      pulled = true;
    },
  }, { highWaterMark: 0 });
  const request = new Request("http://x/", {
    method: "POST",
    body,
    headers: { "content-length": "100" },
  });

  await assert.rejects(readBodyWithin(request, 10), (error: HttpError) => {
    assert.equal(error.status, 413);
    assert.match(
      error.message,
      /request body too large: the limit is 10 bytes/,
    );
    return true;
  });
  assert.equal(pulled, false);
  await request.body!.cancel();
});

Deno.test("readBodyWithin() stops reading a stream as soon as it passes the limit", async () => {
  let served = 0;
  let cancelled = false;
  const endless = new ReadableStream<Uint8Array>({
    pull(controller) {
      served++;
      controller.enqueue(new Uint8Array(4));
    },
    cancel() {
      cancelled = true;
    },
  });
  const request = new Request("http://x/", { method: "POST", body: endless });

  await assert.rejects(readBodyWithin(request, 10), { status: 413 });

  assert.ok(cancelled);
  assert.ok(served <= 4, `served ${served} chunks`);
});

Deno.test("readBodyWithin() turns a broken body into a 400", async () => {
  const broken = new ReadableStream<Uint8Array>({
    pull(controller) {
      controller.error(new Error("connection reset"));
    },
  });
  const request = new Request("http://x/", { method: "POST", body: broken });

  await assert.rejects(readBodyWithin(request, 10), {
    status: 400,
    message: "could not read request body",
  });
});

Deno.test("readBodyWithin() reads a body with a declared length in one go", async () => {
  const request = new Request("http://x/", {
    method: "POST",
    body: streamOf(["hello ", "world"]),
    headers: { "content-length": "11" },
  });

  const bytes = await readBodyWithin(request, 11);

  assert.equal(new TextDecoder().decode(bytes!), "hello world");
});

Deno.test("readBodyWithin() refuses a body longer than its declared length and the limit", async () => {
  const request = new Request("http://x/", {
    method: "POST",
    body: streamOf(["0123456789", "abc"]),
    headers: { "content-length": "4" },
  });

  await assert.rejects(readBodyWithin(request, 10), { status: 413 });
});

Deno.test("readBodyWithin() turns a broken body with a declared length into a 400", async () => {
  const broken = new ReadableStream<Uint8Array>({
    pull(controller) {
      controller.error(new Error("connection reset"));
    },
  });
  const request = new Request("http://x/", {
    method: "POST",
    body: broken,
    headers: { "content-length": "8" },
  });

  await assert.rejects(readBodyWithin(request, 10), { status: 400 });
});

Deno.test("readBodyWithin() reads a body of declared length whole, without making its stream", async () => {
  const request = new Request("http://x/", {
    method: "POST",
    body: "hello world",
    headers: { "content-length": "11" },
  });
  Object.defineProperty(request, "body", {
    get: () => assert.fail("the body stream was made"),
  });

  const bytes = await readBodyWithin(request, 11);

  assert.equal(new TextDecoder().decode(bytes!), "hello world");
});

Deno.test("readBodyWithin() reads a large declared body as it arrives, not in one go", async () => {
  const text = "x".repeat(WHOLE_READ_BYTES + 1);
  const request = new Request("http://x/", {
    method: "POST",
    body: text,
    headers: { "content-length": String(text.length) },
  });
  request.arrayBuffer = () =>
    assert.fail("the declared size was read in one go");

  const bytes = await readBodyWithin(request, text.length);

  assert.equal(bytes?.byteLength, text.length);
});

Deno.test("readBodyWithin() gives an empty body for a declared length of 0", async () => {
  const request = new Request("http://x/", {
    method: "POST",
    body: "",
    headers: { "content-length": "0" },
  });

  const bytes = await readBodyWithin(request, 10);

  assert.equal(bytes?.byteLength ?? 0, 0);
});
