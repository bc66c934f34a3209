import assert from "node:assert/strict";
import { LogBuffer, Logger } from "../log/mod.ts";
import {
  alsoOnFinished,
  type ProxyObserver,
  type RequestObservation,
  type RequestStart,
  startObservation,
} from "./observer.ts";

const start: RequestStart = {
  id: "r1",
  model: "m1",
  path: "/v1/chat/completions",
  method: "POST",
  headers: new Headers(),
  remoteIp: null,
  metadata: { selector: "public" },
};

function recording(calls: string[]): RequestObservation {
  return {
    requestBody: () => calls.push("body"),
    responseStarted: () => calls.push("started"),
    chunk: () => calls.push("chunk"),
    annotate: (key, value) => calls.push(`${key}=${value}`),
    finished: () => calls.push("finished"),
  };
}

function logger(): Logger {
  return new Logger(new LogBuffer(), { level: "debug" });
}

Deno.test("startObservation() passes annotations to an observer that takes them", () => {
  const calls: string[] = [];
  const observer: ProxyObserver = { requestStarted: () => recording(calls) };

  const observation = startObservation(observer, start, logger());
  observation.annotate?.("fifo_priority", "5");

  assert.deepEqual(calls, ["fifo_priority=5"]);
});

Deno.test("startObservation() ignores annotations for an observer without annotate()", () => {
  const observer: ProxyObserver = {
    requestStarted: () => {
      const { annotate: _, ...rest } = recording([]);
      return rest;
    },
  };

  const observation = startObservation(observer, start, logger());

  assert.doesNotThrow(() => observation.annotate?.("fifo_priority", "0"));
});

Deno.test("alsoOnFinished() runs its hook after the observer heard the end", () => {
  const calls: string[] = [];

  const observation = alsoOnFinished(
    recording(calls),
    () => calls.push("hook"),
  );
  observation.chunk(new Uint8Array(1));
  observation.finished({ status: 200 });

  assert.deepEqual(calls, ["chunk", "finished", "hook"]);
});

Deno.test("alsoOnFinished() runs its hook even when the observer throws", () => {
  let hooked = false;
  const throwing: RequestObservation = {
    ...recording([]),
    finished: () => {
      throw new Error("observer broke");
    },
  };

  const observation = alsoOnFinished(throwing, () => hooked = true);

  assert.throws(() => observation.finished({ status: 500 }), /observer broke/);
  assert.equal(hooked, true);
});
