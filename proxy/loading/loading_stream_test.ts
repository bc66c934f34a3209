import assert from "node:assert/strict";
import { Logger } from "../../log/mod.ts";
import { FakeClock } from "../../tests/fake_clock.ts";
import { LoadingStream, type LoadingStreamOptions } from "./loading_stream.ts";
import {
  concat,
  fakeUpstream,
  reasoningDeltas,
  reasoningText,
  sseEvents,
  StreamTap,
} from "./test_utils.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const SEPARATOR = "━━━━━";
const BANNER = `${SEPARATOR}\nllama-swap loading model: qwen-7b\n`;

/**
 * A reasoning stream for "qwen-7b" with remarks "alpha" then "beta". A
 * random source of 0.999 keeps the list order and makes every gap between
 * remarks 9 s.
 */
function open(options: Partial<LoadingStreamOptions> = {}) {
  const clock = new FakeClock();
  const stream = new LoadingStream({
    model: "qwen-7b",
    format: "reasoning",
    remarks: ["alpha", "beta"],
    clock,
    random: () => 0.999,
    ...options,
  });
  const tap = new StreamTap(stream.body);
  return { clock, stream, tap };
}

/** The reasoning text written after the banner. */
function afterBanner(text: string): string {
  const all = reasoningText(text);
  assert.ok(all.startsWith(BANNER), `no banner in ${JSON.stringify(all)}`);
  return all.slice(BANNER.length);
}

Deno.test("LoadingStream types the banner first, in reasoning frames", async () => {
  const { clock, stream, tap } = open();

  const first = await tap.available();
  clock.tick(700);
  const rest = await tap.available();

  assert.ok(first.startsWith("data: "));
  assert.deepEqual(reasoningDeltas(first), [SEPARATOR]);
  assert.equal(reasoningText(first + rest), BANNER);
  stream.cancel();
});

Deno.test("LoadingStream ticks show a remark at once, then dots until the next is due", async () => {
  const { clock, stream, tap } = open();

  clock.tick(9_750 + 500);
  const firstRound = afterBanner(await tap.available());
  clock.tick(9_000);
  const secondRound = reasoningText(await tap.available());

  assert.equal(firstRound, `\nalpha ${".".repeat(11)}\nbeta `);
  assert.equal(secondRound, `${".".repeat(11)}\nalpha `);
  stream.cancel();
});

Deno.test("LoadingStream.setQueuePosition() shows the latest position on the next tick", async () => {
  const { clock, stream, tap } = open();

  stream.setQueuePosition(3);
  stream.setQueuePosition(2);
  clock.tick(750 + 500);
  const shown = afterBanner(await tap.available());
  stream.setQueuePosition(2);
  clock.tick(750);
  const repeated = reasoningText(await tap.available());
  stream.setQueuePosition(1);
  clock.tick(750);
  const moved = reasoningText(await tap.available());

  assert.equal(shown, "\nQueue position: #2 ");
  assert.equal(repeated, ".");
  assert.equal(moved, "\nQueue position: #1 ");
  stream.cancel();
});

Deno.test("LoadingStream.setQueuePosition() holds back the first remark by a full gap", async () => {
  const { clock, stream, tap } = open();

  stream.setQueuePosition(1);
  clock.tick(750 + 9_000 + 500);
  const text = afterBanner(await tap.available());

  assert.equal(text, `\nQueue position: #1 ${".".repeat(11)}\nalpha `);
  stream.cancel();
});

Deno.test("LoadingStream.setQueuePosition(null) drops a position not yet shown", async () => {
  const { clock, stream, tap } = open();

  stream.setQueuePosition(4);
  stream.setQueuePosition(null);
  clock.tick(750 + 500);

  assert.equal(afterBanner(await tap.available()), "\nalpha ");
  stream.cancel();
});

Deno.test("LoadingStream.setQueuePosition() rejects positions below one or fractional", () => {
  const { stream } = open();

  for (const position of [0, -1, 1.5, Number.NaN]) {
    assert.throws(() => stream.setQueuePosition(position), RangeError);
  }
  stream.cancel();
});

Deno.test("LoadingStream.handOver() writes the Done lines, then the upstream bytes unchanged", async () => {
  const { clock, stream, tap } = open();
  const upstreamChunks = [
    encoder.encode('data: {"choices":[{"delta":{"content":"Hi"}}]}\n\n'),
    new Uint8Array([0, 255, 13, 10, 0xe2, 0x94]),
    encoder.encode("data: [DONE]\n\n"),
  ];
  const upstream = fakeUpstream(upstreamChunks);
  clock.tick(3_000);
  const loading = await tap.available();

  const handedOver = stream.handOver(upstream.body);
  const rest = await tap.rest();
  await handedOver;

  const expectedTail = concat(upstreamChunks);
  const split = rest.length - expectedTail.length;
  assert.deepEqual(rest.slice(split), expectedTail);
  const ending = decoder.decode(rest.slice(0, split));
  assert.equal(
    afterBanner(loading + ending),
    `\nalpha ...\nDone! (3.00s)\n${SEPARATOR}\n \n`,
  );
  assert.equal(clock.pendingTimers, 0);
});

Deno.test("LoadingStream.handOver() mid-remark writes the whole remark before the Done lines", async () => {
  const remark = "a remark long enough to be typed in many chunks";
  const { clock, stream, tap } = open({ remarks: [remark] });
  clock.tick(750);
  const partial = afterBanner(await tap.available());

  await stream.handOver(null);
  const rest = decoder.decode(await tap.rest());

  assert.ok(partial.length < remark.length, "the remark was still typing");
  assert.equal(
    reasoningText(rest),
    `${remark.slice(partial.length - 1)} \nDone! (0.75s)\n${SEPARATOR}\n \n`,
  );
  assert.equal(clock.pendingTimers, 0);
});

Deno.test("LoadingStream.handOver() after the client left cancels the upstream unread", async () => {
  const { clock, stream, tap } = open();
  const upstream = fakeUpstream([encoder.encode("data: late\n\n")]);

  await tap.hangUp();
  await stream.handOver(upstream.body);

  assert.equal(await upstream.cancelled, "client went away");
  assert.equal(clock.pendingTimers, 0);
});

Deno.test("LoadingStream.handOver() stops piping when the client leaves mid-answer", async () => {
  const { stream, tap } = open();
  const upstream = fakeUpstream([encoder.encode("data: first\n\n")], {
    endless: true,
  });
  const handedOver = stream.handOver(upstream.body);
  let seen = "";
  while (!seen.includes("data: first")) {
    seen += decoder.decode(await tap.nextChunk());
  }

  await tap.hangUp();
  await handedOver;

  assert.equal(await upstream.cancelled, "client hung up");
});

Deno.test("LoadingStream.handOver() errors the body and logs when the upstream fails", async () => {
  const lines: string[] = [];
  const logger = new Logger({ write: (line) => lines.push(line) });
  const { stream, tap } = open({ logger });
  const upstream = new ReadableStream<Uint8Array>({
    pull(controller) {
      controller.error(new Error("connection reset"));
    },
  });

  const handedOver = stream.handOver(upstream);

  await assert.rejects(tap.rest(), /connection reset/);
  await handedOver;
  assert.equal(lines.length, 1);
  assert.match(lines[0]!, /WARN.*upstream body failed.*model=qwen-7b/);
});

Deno.test("LoadingStream.handOver() a second time rejects and cancels that upstream", async () => {
  const { stream, tap } = open();
  const second = fakeUpstream([]);
  await stream.handOver(null);

  await assert.rejects(stream.handOver(second.body), /already ended/);

  assert.equal(await second.cancelled, "client went away");
  await assert.rejects(
    stream.fail({ status: 500, message: "x", type: "y", code: "z" }),
    /Cannot fail loading stream for "qwen-7b": it has already ended/,
  );
  await tap.rest();
});

Deno.test("LoadingStream.fail() ends the text and sends an OpenAI error event, then [DONE]", async () => {
  const { clock, stream, tap } = open();
  clock.tick(1_500);
  const loading = await tap.available();

  await stream.fail({
    status: 503,
    message: 'Cannot start "qwen-7b": health check timed out after 120s',
    type: "server_error",
    code: "service_unavailable",
  });
  const events = sseEvents(loading + decoder.decode(await tap.rest()));

  assert.equal(events.at(-1), "data: [DONE]");
  const errorEvent = events.at(-2)!;
  assert.ok(errorEvent.startsWith("data: "));
  assert.deepEqual(JSON.parse(errorEvent.slice("data: ".length)), {
    error: {
      message: 'Cannot start "qwen-7b": health check timed out after 120s',
      type: "server_error",
      param: null,
      code: "service_unavailable",
    },
  });
  const text = afterBanner(
    events.slice(0, -2).map((event) => `${event}\n\n`).join(""),
  );
  assert.equal(text, `\nalpha .\nLoading failed (1.50s)\n${SEPARATOR}\n \n`);
  assert.equal(clock.pendingTimers, 0);
});

Deno.test("LoadingStream.fail() after the client left writes nothing", async () => {
  const { clock, stream, tap } = open();
  await tap.hangUp();

  await stream.fail({ status: 500, message: "x", type: "y", code: "z" });

  assert.equal(clock.pendingTimers, 0);
});

Deno.test("LoadingStream in comment format writes SSE comment lines only", async () => {
  const { clock, stream, tap } = open({ format: "comment" });
  clock.tick(2_250);
  stream.setQueuePosition(1);
  clock.tick(750);

  await stream.handOver(null);
  const text = decoder.decode(await tap.rest());

  assert.deepEqual(sseEvents(text), [
    `: ${SEPARATOR}`,
    ": llama-swap loading model: qwen-7b",
    ": alpha",
    ": .",
    ": .",
    ": Queue position: #1",
    ": Done! (3.00s)",
    `: ${SEPARATOR}`,
  ]);
});

Deno.test("LoadingStream in comment format keeps line breaks in text inside comments", async () => {
  const { stream, tap } = open({ format: "comment", model: "odd\nname\r" });

  await stream.fail({ status: 500, message: "x", type: "y", code: "z" });
  const text = decoder.decode(await tap.rest());

  for (const line of text.split("\n")) {
    assert.ok(
      line === "" || line.startsWith(": ") || line.startsWith("data: "),
      `line outside a comment: ${JSON.stringify(line)}`,
    );
  }
  assert.ok(text.includes(": llama-swap loading model: odd\n\n: name\n\n"));
});

Deno.test("LoadingStream keeps frames valid JSON whatever the text", async () => {
  const model = 'q"w\\e\n</script>\u0000\u2028🦙\ud800x';
  const { clock, stream, tap } = open({ model, remarks: [] });

  clock.tick(740);
  const text = reasoningText(await tap.available());

  assert.equal(text, `${SEPARATOR}\nllama-swap loading model: ${model}\n`);
  stream.cancel();
});

Deno.test("LoadingStream shows a progress figure, capped at 99%, when the usual load time is known", async () => {
  const { clock, stream, tap } = open({ remarks: [], expectedLoadMs: 12_000 });

  clock.tick(30_500);
  const text = reasoningText(await tap.available());

  const percents = [
    ...text.matchAll(/Loading ~(\d+)% \(usually takes 12\.0s\)/g),
  ]
    .map((match) => Number(match[1]));
  assert.deepEqual(percents, [25, 50, 75, 99, 99, 99, 99, 99, 99, 99]);
  stream.cancel();
});

Deno.test("LoadingStream shows no progress figure without a usual load time", async () => {
  const cases: Partial<LoadingStreamOptions>[] = [
    {},
    { expectedLoadMs: null },
    { expectedLoadMs: 0 },
  ];
  for (const options of cases) {
    const { clock, stream, tap } = open({ ...options, remarks: [] });

    clock.tick(30_000);
    const text = afterBanner(await tap.available());

    assert.equal(text, ".".repeat(40), JSON.stringify(options));
    stream.cancel();
  }
});

Deno.test("LoadingStream counts progress from leaving the queue, not while queued", async () => {
  const { clock, stream, tap } = open({ remarks: [], expectedLoadMs: 12_000 });
  stream.setQueuePosition(1);

  clock.tick(6_000);
  const queued = reasoningText(await tap.available());
  stream.setQueuePosition(null);
  clock.tick(3_600);
  const loading = reasoningText(await tap.available());

  assert.ok(!queued.includes("Loading ~"));
  assert.equal(loading, "...\nLoading ~25% (usually takes 12.0s) ");
  stream.cancel();
});

Deno.test("LoadingStream.cancel() stops every timer, even mid-remark", async () => {
  const { clock, stream, tap } = open({ remarks: ["a remark typed slowly"] });
  clock.tick(750);

  stream.cancel();
  await tap.rest();
  clock.tick(60_000);

  assert.equal(clock.pendingTimers, 0);
  assert.equal(tap.closed, true);
  stream.setQueuePosition(2);
  stream.cancel();
});

Deno.test("LoadingStream stops every timer when the client cancels the body", async () => {
  const { clock, tap } = open();
  clock.tick(750);

  await tap.hangUp();

  assert.equal(clock.pendingTimers, 0);
});

Deno.test("LoadingStream skips ticks while the client is not reading", async () => {
  const { clock, stream, tap } = open();

  clock.tick(60 * 60 * 1_000);
  const backlog = encoder.encode(await tap.available()).length;
  clock.tick(750);
  const resumed = reasoningText(await tap.available());

  assert.ok(backlog > 8 * 1024, `only ${backlog} bytes were written`);
  assert.ok(backlog < 18 * 1024, `${backlog} bytes piled up`);
  assert.notEqual(resumed, "");
  stream.cancel();
});
