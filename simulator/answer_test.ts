import assert from "node:assert/strict";
import { FakeClock } from "../tests/fake_clock.ts";
import { type AnswerOptions, answerReply } from "./answer.ts";
import { chatFormat } from "./openai.ts";
import type { Reply } from "./reply.ts";
import { parseSseFrames } from "./sse.ts";

const reply: Reply = {
  id: "sim-1",
  created: 1_700_000_000,
  model: "m",
  promptTokens: 2,
  tokens: ["a", " b", " c"],
  finish: "stop",
};

/** Lets pending promise callbacks and stream pulls run. */
function settle(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

function recorder(overrides: Partial<AnswerOptions> = {}) {
  const events: string[] = [];
  const options: AnswerOptions = {
    stream: false,
    tokenMs: 0,
    clock: new FakeClock(),
    signal: () => new AbortController().signal,
    crashMidStream: null,
    onCrash: () => events.push("crash"),
    onDone: () => events.push("done"),
    onCancelled: (sent) => events.push(`cancelled after ${sent}`),
    ...overrides,
  };
  return { events, options };
}

Deno.test("answerReply() waits one token time per token before a whole reply", async () => {
  const clock = new FakeClock();
  const { events, options } = recorder({ clock, tokenMs: 100 });
  let answered = false;

  const answer = answerReply(reply, chatFormat, options).then((res) => {
    answered = true;
    return res;
  });
  for (let i = 0; i < 2; i++) {
    await settle();
    clock.tick(100);
  }
  await settle();
  assert.equal(answered, false);

  clock.tick(100);
  const body = await (await answer).json();

  assert.equal(body.choices[0].message.content, "a b c");
  assert.ok(body.timings.predicted_ms >= 300);
  assert.deepEqual(events, ["done"]);
});

Deno.test("answerReply() streams each token only after its token time", async () => {
  const clock = new FakeClock();
  const { events, options } = recorder({ clock, tokenMs: 50, stream: true });
  const res = await answerReply(reply, chatFormat, options);
  const reader = res.body!.getReader();
  let received = false;

  const first = reader.read().then((chunk) => {
    received = true;
    return chunk;
  });
  await settle();
  assert.equal(received, false);

  clock.tick(50);
  const chunk = await first;
  await reader.cancel();

  assert.equal(res.headers.get("content-type"), "text/event-stream");
  assert.match(new TextDecoder().decode(chunk.value), /"content":"a"/);
  assert.deepEqual(events, ["cancelled after 1"]);
});

Deno.test("answerReply() ends a stream with the final frame and calls onDone once", async () => {
  const { events, options } = recorder({ stream: true });

  const res = await answerReply(reply, chatFormat, options);
  const frames = parseSseFrames(await res.text());

  assert.equal(frames.length, 5);
  assert.equal(frames.at(-1)?.data, "[DONE]");
  assert.deepEqual(events, ["done"]);
});

Deno.test("answerReply() stops a whole reply when the client goes away", async () => {
  const clock = new FakeClock();
  const abort = new AbortController();
  const { events, options } = recorder({
    clock,
    tokenMs: 100,
    signal: () => abort.signal,
  });

  const answer = answerReply(reply, chatFormat, options);
  await settle();
  clock.tick(100);
  await settle();
  abort.abort();
  const res = await answer;

  assert.equal(res.status, 499);
  assert.deepEqual(events, ["cancelled after 1"]);
  assert.equal(clock.pendingTimers, 0);
});

Deno.test("answerReply() errors a stream after the crash token count and calls onCrash", async () => {
  const { events, options } = recorder({ stream: true, crashMidStream: 2 });
  const res = await answerReply(reply, chatFormat, options);
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";

  const reading = (async () => {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      text += value;
    }
  })();

  await assert.rejects(reading, /Simulated crash mid-stream/);
  assert.equal(parseSseFrames(text).length, 2);
  assert.deepEqual(events, ["crash"]);
});
