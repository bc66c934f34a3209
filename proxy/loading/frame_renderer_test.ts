import assert from "node:assert/strict";
import { type Frame, frameRenderer } from "./frame_renderer.ts";
import { reasoningDeltas, sseEvents } from "./test_utils.ts";

const decoder = new TextDecoder();

function text(frames: Frame[]): string {
  return frames.map((frame) => decoder.decode(frame.bytes)).join("");
}

Deno.test("frameRenderer('reasoning') types text in five-character chunks", () => {
  const frames = frameRenderer("reasoning").line("hello world");

  assert.deepEqual(reasoningDeltas(text(frames)), [
    "hello",
    " worl",
    "d",
    "\n",
  ]);
  assert.deepEqual(
    frames.map((frame) => Math.round(frame.pauseMs)),
    [67, 67, 13, 0],
  );
});

Deno.test("frameRenderer('reasoning') never splits a character in two", () => {
  const frames = frameRenderer("reasoning").line("🦙🦙🦙🦙🦙🦙");

  assert.deepEqual(reasoningDeltas(text(frames)), ["🦙🦙🦙🦙🦙", "🦙", "\n"]);
});

Deno.test("frameRenderer('reasoning') puts a note on a fresh line", () => {
  const frames = frameRenderer("reasoning").note("Queue position: #2");

  assert.equal(
    reasoningDeltas(text(frames)).join(""),
    "\nQueue position: #2 ",
  );
});

Deno.test("frameRenderer('reasoning') writes the ending without pauses", () => {
  const frames = frameRenderer("reasoning").ending("Done! (1.50s)", "==");

  assert.equal(
    reasoningDeltas(text(frames)).join(""),
    "\nDone! (1.50s)\n==\n \n",
  );
  assert.ok(frames.every((frame) => frame.pauseMs === 0));
});

Deno.test("frameRenderer('comment') writes one comment per line", () => {
  const renderer = frameRenderer("comment");

  const written = text([
    ...renderer.line("banner"),
    ...renderer.note("two\nlines\r\nhere"),
    ...renderer.dot(),
    ...renderer.ending("Done! (1.50s)", "=="),
  ]);

  assert.deepEqual(sseEvents(written), [
    ": banner",
    ": two",
    ": lines",
    ": here",
    ": .",
    ": Done! (1.50s)",
    ": ==",
  ]);
});
