import assert from "node:assert/strict";
import type { CapturedExchange } from "./capture.ts";
import { captureSize, CaptureStore } from "./capture_store.ts";

const MIB = 1024 * 1024;

/** An exchange whose size is exactly `bytes`. */
function exchangeOf(bytes: number): CapturedExchange {
  const path = "/v1/chat/completions";
  return {
    reqPath: path,
    reqHeaders: null,
    reqBody: new Uint8Array(bytes - path.length),
    respHeaders: null,
    respBody: null,
  };
}

Deno.test("CaptureStore.get() returns a stored capture and null for others", () => {
  const store = new CaptureStore({ captureBufferMiB: 1 });
  const exchange: CapturedExchange = {
    reqPath: "/v1/chat/completions",
    reqHeaders: { "Content-Type": "application/json" },
    reqBody: new TextEncoder().encode("{}"),
    respHeaders: null,
    respBody: null,
  };

  assert.equal(store.put(42, exchange), true);

  assert.equal(store.get(42)?.reqPath, "/v1/chat/completions");
  assert.equal(store.get(42)?.id, 42);
  assert.equal(store.has(42), true);
  assert.equal(store.get(999), null);
  assert.equal(store.has(999), false);
});

Deno.test("CaptureStore evicts the oldest captures to make room", () => {
  const store = new CaptureStore({ captureBufferMiB: 1 });

  store.put(1, exchangeOf(400 * 1024));
  store.put(2, exchangeOf(400 * 1024));
  store.put(3, exchangeOf(400 * 1024));

  assert.equal(store.has(1), false);
  assert.equal(store.has(2), true);
  assert.equal(store.has(3), true);
  assert.equal(store.sizeBytes, 800 * 1024);
});

Deno.test("CaptureStore drops a capture larger than the whole buffer", () => {
  const store = new CaptureStore({ captureBufferMiB: 1 });
  store.put(1, exchangeOf(1024));

  const stored = store.put(2, exchangeOf(MIB + 1));

  assert.equal(stored, false);
  assert.equal(store.has(2), false);
  assert.equal(store.has(1), true);
});

Deno.test("CaptureStore with a zero buffer stores nothing", () => {
  const store = new CaptureStore({ captureBufferMiB: 0 });

  assert.equal(store.put(1, exchangeOf(100)), false);
  assert.equal(store.enabled, false);
  assert.equal(store.count, 0);
});

Deno.test("CaptureStore.put() replaces a capture under the same ID", () => {
  const store = new CaptureStore({ captureBufferMiB: 1 });

  store.put(5, exchangeOf(1000));
  store.put(5, exchangeOf(2000));

  assert.equal(store.count, 1);
  assert.equal(store.sizeBytes, 2000);
});

Deno.test("captureSize() counts path, headers and bodies in UTF-8 bytes", () => {
  const size = captureSize({
    reqPath: "/é",
    reqHeaders: { "A": "bc" },
    reqBody: new Uint8Array(10),
    respHeaders: { "D": "e" },
    respBody: new Uint8Array(5),
  });

  assert.equal(size, 3 + 3 + 2 + 10 + 5);
});

Deno.test("CaptureStore rejects a negative buffer size", () => {
  assert.throws(() => new CaptureStore({ captureBufferMiB: -1 }), RangeError);
});

Deno.test("CaptureStore keeps evicting oldest first across replacements and thousands of captures", () => {
  const store = new CaptureStore({ captureBufferMiB: 1 });
  const size = 10_000; // 104 fit in 1 MiB

  for (let id = 1; id <= 5000; id++) {
    assert.equal(store.put(id, exchangeOf(size)), true);
    if (id % 7 === 0) store.put(id - 3, exchangeOf(size)); // store again
  }

  assert.equal(store.count, 104);
  assert.equal(store.sizeBytes, 104 * size);
  assert.equal(store.has(5000), true);
  assert.equal(store.has(4800), false);
  // Stored again after 4998: held as one of the newest.
  assert.equal(store.has(4995), true);
});
