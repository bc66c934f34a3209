import assert from "node:assert/strict";
import { gzipSync } from "node:zlib";
import type { RequestStart } from "../proxy/mod.ts";
import { FakeClock } from "../tests/fake_clock.ts";
import { InFlightTracker } from "./inflight_tracker.ts";
import { type RequestOutcome, RequestRecorder } from "./request_recorder.ts";
import { unknownTokenMetrics } from "./token_metrics.ts";

const encoder = new TextEncoder();

function recorder(captureLimit: number, recorded = true) {
  const clock = new FakeClock();
  const tracker = new InFlightTracker({ clock });
  const start: RequestStart = {
    id: "uuid",
    model: "m1",
    path: "/v1/chat/completions",
    method: "POST",
    headers: new Headers({ authorization: "Bearer secret" }),
    remoteIp: "10.0.0.5",
    metadata: { selector: "public" },
  };
  const outcomes: RequestOutcome[] = [];
  const recording = new RequestRecorder({
    start,
    clock,
    inFlight: tracker.start({
      model: start.model,
      reqPath: start.path,
      method: start.method,
      reqHeaders: start.headers,
      remoteAddr: "",
    }),
    captureLimit,
    recorded,
    onFinished: (outcome) => outcomes.push(outcome),
  });
  return { recording, clock, tracker, outcomes };
}

const JSON_HEADERS = new Headers({ "content-type": "application/json" });
const SSE_HEADERS = new Headers({ "content-type": "text/event-stream" });

Deno.test("RequestRecorder reads no usage from the body of a request that becomes no activity", () => {
  const { recording, tracker, outcomes } = recorder(0, false);

  recording.responseStarted(200, JSON_HEADERS);
  recording.chunk(encoder.encode('{"usage":{"prompt_tokens":12}}'));
  recording.finished({ status: 200 });

  const [outcome] = outcomes;
  assert.deepEqual(outcome?.activity.tokens, unknownTokenMetrics());
  assert.equal(outcome?.activity.respStatusCode, 200);
  assert.equal(outcome?.capture, null);
  assert.equal(tracker.count(), 0);
});

Deno.test("RequestRecorder reads usage from a JSON body split over chunks", () => {
  const { recording, clock, tracker, outcomes } = recorder(0);

  recording.requestBody(encoder.encode('{"model":"m1"}'));
  recording.responseStarted(200, JSON_HEADERS);
  recording.chunk(encoder.encode('{"usage":{"prompt_tokens":12,'));
  clock.tick(40);
  recording.chunk(encoder.encode('"completion_tokens":7}}'));
  recording.finished({ status: 200 });

  const [outcome] = outcomes;
  assert.equal(outcome?.activity.tokens.inputTokens, 12);
  assert.equal(outcome?.activity.tokens.outputTokens, 7);
  assert.equal(outcome?.activity.durationMs, 40);
  assert.equal(outcome?.activity.ttftMs, null);
  assert.deepEqual(outcome?.activity.metadata, { selector: "public" });
  assert.equal(outcome?.capture, null);
  assert.equal(tracker.count(), 0);
});

Deno.test("RequestRecorder reads usage from JSON labelled text/plain or not at all, never from audio", () => {
  const cases: [string | null, number | null][] = [
    ["text/plain; charset=utf-8", 5],
    [null, 5],
    ["audio/mpeg", null],
  ];
  for (const [type, input] of cases) {
    const { recording, outcomes } = recorder(0);

    recording.responseStarted(
      200,
      new Headers(type === null ? {} : { "content-type": type }),
    );
    recording.chunk(encoder.encode('{"usage":{"prompt_tokens":5}}'));
    recording.finished({ status: 200 });

    assert.equal(outcomes[0]!.activity.tokens.inputTokens, input, `${type}`);
  }
});

Deno.test("RequestRecorder reads usage and captures from a gzip body, and names one that does not decode", () => {
  const json = encoder.encode(
    '{"usage":{"prompt_tokens":3,"completion_tokens":5}}',
  );
  const headers = new Headers({
    "content-type": "application/json",
    "content-encoding": "gzip",
  });
  const good = recorder(1 << 20);
  const bad = recorder(1 << 20);

  good.recording.responseStarted(200, headers);
  good.recording.chunk(gzipSync(json));
  good.recording.finished({ status: 200 });
  bad.recording.responseStarted(200, headers);
  bad.recording.chunk(json);
  bad.recording.finished({ status: 200 });

  const decoded = good.outcomes[0]!;
  assert.equal(decoded.activity.tokens.inputTokens, 3);
  assert.equal(decoded.activity.tokens.outputTokens, 5);
  assert.deepEqual(decoded.capture?.respBody, json);
  assert.equal(decoded.capture?.respHeaders?.["Content-Encoding"], undefined);
  const broken = bad.outcomes[0]!;
  assert.match(
    broken.activity.errorMsg ?? "",
    /^cannot decode the gzip body: /,
  );
  assert.equal(broken.capture, null);
});

Deno.test("RequestRecorder times the first streamed chunk and follows SSE usage", () => {
  const { recording, clock, outcomes } = recorder(0);

  recording.responseStarted(200, SSE_HEADERS);
  clock.tick(75);
  recording.chunk(encoder.encode('data: {"choices":[]}\n\ndata: {"us'));
  clock.tick(500);
  recording.chunk(
    encoder.encode('age":{"prompt_tokens":3,"completion_tokens":4}}\n\n'),
  );
  recording.finished({ status: 200 });

  const activity = outcomes[0]!.activity;
  assert.equal(activity.ttftMs, 75);
  assert.equal(activity.durationMs, 575);
  assert.equal(activity.tokens.inputTokens, 3);
  assert.equal(activity.tokens.outputTokens, 4);
});

Deno.test("RequestRecorder captures redacted headers and both bodies within the limit", () => {
  const { recording, outcomes } = recorder(1024);

  recording.requestBody(encoder.encode('{"model":"m1"}'));
  recording.responseStarted(200, JSON_HEADERS);
  recording.chunk(encoder.encode('{"ok":true}'));
  recording.finished({ status: 200 });

  const capture = outcomes[0]!.capture!;
  assert.equal(capture.reqHeaders?.["Authorization"], "[REDACTED]");
  assert.equal(new TextDecoder().decode(capture.reqBody!), '{"model":"m1"}');
  assert.equal(new TextDecoder().decode(capture.respBody!), '{"ok":true}');
});

Deno.test("RequestRecorder keeps no capture for a response past the capture limit", () => {
  const { recording, outcomes } = recorder(16);

  recording.responseStarted(200, JSON_HEADERS);
  recording.chunk(encoder.encode('{"usage":{"prompt_tokens":1}}'));
  recording.finished({ status: 200 });

  assert.equal(outcomes[0]!.capture, null);
  assert.equal(outcomes[0]!.activity.tokens.inputTokens, 1);
});

Deno.test("RequestRecorder names an error by its body, else by its status", () => {
  const jsonError = recorder(0);
  const htmlError = recorder(0);

  jsonError.recording.responseStarted(429, JSON_HEADERS);
  jsonError.recording.chunk(encoder.encode('{"message":"slow down"}'));
  jsonError.recording.finished({ status: 429 });
  htmlError.recording.responseStarted(503, new Headers());
  htmlError.recording.chunk(encoder.encode("<html>busy</html>"));
  htmlError.recording.finished({ status: 503 });

  assert.equal(jsonError.outcomes[0]!.activity.errorMsg, "slow down");
  assert.equal(
    htmlError.outcomes[0]!.activity.errorMsg,
    "503 Service Unavailable",
  );
});

Deno.test("RequestRecorder records the proxy's error for a request without a response", () => {
  const { recording, outcomes } = recorder(1024);

  recording.finished({ status: 502, error: "upstream connection failed" });

  const { activity, capture } = outcomes[0]!;
  assert.equal(activity.respStatusCode, 502);
  assert.equal(activity.respContentType, "");
  assert.equal(activity.errorMsg, "upstream connection failed");
  assert.equal(capture, null);
});

Deno.test("RequestRecorder reports only the first finish and ignores later chunks", () => {
  const { recording, outcomes } = recorder(0);
  recording.responseStarted(200, JSON_HEADERS);

  recording.finished({ status: 200, error: "client went away" });
  recording.chunk(encoder.encode("late"));
  recording.finished({ status: 200 });

  assert.equal(outcomes.length, 1);
  assert.equal(outcomes[0]!.activity.errorMsg, "client went away");
});

Deno.test("RequestRecorder.signal aborts when the in-flight entry is cancelled", () => {
  const { recording, tracker } = recorder(0);

  const [entry] = tracker.list();
  tracker.cancel(entry!.id);

  assert.equal(recording.signal.aborted, true);
});

Deno.test("RequestRecorder.annotate() adds labels to the activity metadata", () => {
  const { recording, outcomes } = recorder(0);

  recording.annotate("fifo_priority", "3");
  recording.responseStarted(200, JSON_HEADERS);
  recording.finished({ status: 200 });
  recording.annotate("late", "ignored");

  assert.deepEqual(outcomes[0]?.activity.metadata, {
    selector: "public",
    fifo_priority: "3",
  });
});
