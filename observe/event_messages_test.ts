import assert from "node:assert/strict";
import { frame } from "./event_messages.ts";

Deno.test("frame() writes event:message and a doubly encoded data line", () => {
  const text = frame({ type: "activity", data: { id: 7 } });

  assert.equal(
    text,
    'event:message\ndata:{"type":"activity","data":"{\\"id\\":7}"}\n\n',
  );
});

Deno.test("frame() keeps multi-line log text on one data line", () => {
  const text = frame({
    type: "logData",
    data: { source: "upstream", data: 'line one\nline "two"\n' },
  });

  const lines = text.split("\n");
  assert.equal(lines.length, 4);
  assert.equal(lines[0], "event:message");
  assert.equal(lines[2], "");
  const envelope = JSON.parse(lines[1]!.slice("data:".length));
  assert.equal(envelope.type, "logData");
  assert.deepEqual(JSON.parse(envelope.data), {
    source: "upstream",
    data: 'line one\nline "two"\n',
  });
});
