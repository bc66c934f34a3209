import assert from "node:assert/strict";
import { parseSseFrames, SSE_DONE, sseData, sseEvent } from "./sse.ts";

Deno.test("sseData() frames JSON on one data line ended by a blank line", () => {
  assert.equal(sseData({ a: "x\ny" }), 'data: {"a":"x\\ny"}\n\n');
});

Deno.test("sseEvent() puts the event name before the data", () => {
  assert.equal(
    sseEvent("message_stop", { type: "message_stop" }),
    'event: message_stop\ndata: {"type":"message_stop"}\n\n',
  );
});

Deno.test("parseSseFrames() reads back what the builders wrote", () => {
  const text = sseEvent("ping", { n: 1 }) + ": a comment\n\n" + sseData(2) +
    SSE_DONE;

  const frames = parseSseFrames(text);

  assert.deepEqual(frames, [
    { event: "ping", data: '{"n":1}' },
    { event: null, data: "2" },
    { event: null, data: "[DONE]" },
  ]);
});

Deno.test("parseSseFrames() joins multi-line data and accepts CRLF", () => {
  const frames = parseSseFrames("data: one\r\ndata: two\r\n\r\n");

  assert.deepEqual(frames, [{ event: null, data: "one\ntwo" }]);
});
