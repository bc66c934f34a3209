import assert from "node:assert/strict";
import { SseFrameParser } from "./sse_frames.js";

Deno.test("SseFrameParser.push() reads llama-swap's event:message frames", () => {
  const parser = new SseFrameParser();

  const frames = parser.push(
    'event:message\ndata:{"type":"logData","data":"\\"x\\""}\n\n',
  );

  assert.deepEqual(frames, [{
    event: "message",
    data: '{"type":"logData","data":"\\"x\\""}',
    id: null,
  }]);
});

Deno.test("SseFrameParser.push() completes a frame split across chunks", () => {
  const parser = new SseFrameParser();

  const first = parser.push("data: hel");
  const second = parser.push("lo\n");
  const third = parser.push("\ndata: next\n\n");

  assert.deepEqual(first, []);
  assert.deepEqual(second, []);
  assert.deepEqual(third.map((frame) => frame.data), ["hello", "next"]);
});

Deno.test("SseFrameParser.push() accepts CRLF and CR line ends, even split between chunks", () => {
  const parser = new SseFrameParser();

  const frames = [
    ...parser.push("data: a\r"),
    ...parser.push("\n\r"),
    ...parser.push("\ndata: b\r\r"),
  ];

  assert.deepEqual(frames.map((frame) => frame.data), ["a", "b"]);
});

Deno.test("SseFrameParser.push() joins data lines and strips one space only", () => {
  const parser = new SseFrameParser();

  const frames = parser.push("data:  two spaces\ndata\ndata:last\n\n");

  assert.equal(frames[0]?.data, " two spaces\n\nlast");
});

Deno.test("SseFrameParser.push() skips comments and frames without data", () => {
  const parser = new SseFrameParser();

  const frames = parser.push(
    ": loading model\n\nevent: ping\n\nid: 7\nevent: done\ndata: [DONE]\n\n",
  );

  assert.deepEqual(frames, [{ event: "done", data: "[DONE]", id: "7" }]);
});

Deno.test("SseFrameParser.end() drops a frame the stream never finished", () => {
  const parser = new SseFrameParser();
  parser.push("data: half");

  parser.end();
  const frames = parser.push("data: whole\n\n");

  assert.deepEqual(frames.map((frame) => frame.data), ["whole"]);
});
