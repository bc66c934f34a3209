import assert from "node:assert/strict";
import {
  buildCapture,
  type CaptureInput,
  captureToJson,
  parseCaptureId,
} from "./capture.ts";
import { REDACTED } from "./redact.ts";

const encoder = new TextEncoder();

function input(overrides: Partial<CaptureInput> = {}): CaptureInput {
  return {
    reqPath: "/v1/chat/completions",
    reqHeaders: new Headers({
      "Authorization": "Bearer secret",
      "Content-Type": "application/json",
    }),
    reqBody: encoder.encode('{"model":"m1"}'),
    status: 200,
    respHeaders: new Headers({
      "Content-Type": "application/json",
      "Content-Encoding": "gzip",
    }),
    respBody: encoder.encode('{"ok":true}'),
    ...overrides,
  };
}

Deno.test("buildCapture() keeps every part of a chat exchange, redacted", () => {
  const capture = buildCapture(input())!;

  assert.equal(capture.reqHeaders?.["Authorization"], REDACTED);
  assert.equal(capture.reqHeaders?.["Content-Type"], "application/json");
  assert.deepEqual(capture.respHeaders, { "Content-Type": "application/json" });
  assert.equal(new TextDecoder().decode(capture.respBody!), '{"ok":true}');
  assert.ok(capture.reqBody);
});

Deno.test("buildCapture() keeps no response body for a failed request", () => {
  const capture = buildCapture(input({
    status: 502,
    respBody: encoder.encode('{"error":{"message":"model unavailable"}}'),
  }))!;

  assert.equal(capture.respBody, null);
  assert.equal(capture.respHeaders?.["Content-Type"], "application/json");
  assert.ok(capture.reqBody);
});

Deno.test("buildCapture() applies the per-path parts", () => {
  const speech = buildCapture(input({ reqPath: "/v1/audio/speech" }))!;
  const edits = buildCapture(input({ reqPath: "/v1/images/edits" }))!;
  const voices = buildCapture(input({ reqPath: "/v1/audio/voices" }))!;

  assert.ok(speech.reqBody && speech.respHeaders && speech.reqHeaders);
  assert.equal(speech.respBody, null);
  assert.equal(edits.reqBody, null);
  assert.equal(edits.respBody, null);
  assert.ok(edits.reqHeaders && edits.respHeaders);
  assert.equal(voices.reqBody, null);
  assert.ok(voices.respBody);
});

Deno.test("buildCapture() stores nothing for an empty response body", () => {
  assert.equal(buildCapture(input({ respBody: new Uint8Array() })), null);
  assert.equal(buildCapture(input({ respBody: null })), null);
});

Deno.test("captureToJson() encodes bodies as base64 and absent parts as null", () => {
  const exchange = buildCapture(input({ reqPath: "/v1/images/edits" }))!;

  const json = captureToJson({ id: 7, ...exchange });

  assert.equal(json.id, 7);
  assert.equal(json.req_path, "/v1/images/edits");
  assert.equal(json.req_body, null);
  assert.equal(json.resp_body, null);
  const full = captureToJson({ id: 8, ...buildCapture(input())! });
  assert.equal(full.resp_body, btoa('{"ok":true}'));
  assert.equal(atob(full.req_body!), '{"model":"m1"}');
});

Deno.test("parseCaptureId() accepts whole numbers only, signed or not", () => {
  assert.equal(parseCaptureId("42"), 42);
  assert.equal(parseCaptureId("+7"), 7);
  assert.equal(parseCaptureId("-1"), -1);
  assert.equal(parseCaptureId("abc"), null);
  assert.equal(parseCaptureId("--1"), null);
  assert.equal(parseCaptureId("1.5"), null);
  assert.equal(parseCaptureId(""), null);
});
