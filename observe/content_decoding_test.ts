import assert from "node:assert/strict";
import { deflateRawSync, deflateSync, gzipSync } from "node:zlib";
import { decodeBody } from "./content_decoding.ts";

const text = '{"usage":{"prompt_tokens":3,"completion_tokens":5}}';
const plain = new TextEncoder().encode(text);
const decoded = (result: ReturnType<typeof decodeBody>) =>
  result.ok ? new TextDecoder().decode(result.bytes!) : result.error;

Deno.test("decodeBody() undoes gzip and both kinds of deflate", () => {
  assert.equal(decoded(decodeBody(gzipSync(plain), "gzip", 1 << 20)), text);
  assert.equal(decoded(decodeBody(gzipSync(plain), "X-Gzip", 1 << 20)), text);
  assert.equal(
    decoded(decodeBody(deflateSync(plain), "deflate", 1 << 20)),
    text,
  );
  assert.equal(
    decoded(decodeBody(deflateRawSync(plain), "deflate", 1 << 20)),
    text,
  );
});

Deno.test("decodeBody() leaves identity, unknown codings and empty bodies alone", () => {
  for (const coding of [null, "", "identity", "br", "zstd"]) {
    assert.equal(decodeBody(plain, coding, 1 << 20).ok, true);
    assert.equal(
      decoded(decodeBody(plain, coding, 1 << 20)),
      text,
      `${coding}`,
    );
  }
  assert.deepEqual(decodeBody(null, "gzip", 10), { ok: true, bytes: null });
});

Deno.test("decodeBody() says why a broken or oversized body cannot be decoded", () => {
  const broken = decodeBody(plain, "gzip", 1 << 20);
  const large = decodeBody(gzipSync(new Uint8Array(4096)), "gzip", 100);

  assert.equal(broken.ok, false);
  assert.match(decoded(broken), /^cannot decode the gzip body: /);
  assert.equal(large.ok, false);
});
