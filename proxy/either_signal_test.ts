import assert from "node:assert/strict";
import { eitherSignal } from "./either_signal.ts";

Deno.test("eitherSignal() aborts with the first source's reason", () => {
  const client = new AbortController();
  const cancel = new AbortController();
  const signal = eitherSignal(client.signal, cancel.signal);

  client.abort("client left");
  cancel.abort("cancelled");

  assert.equal(signal.aborted, true);
  assert.equal(signal.reason, "client left");
});

Deno.test("eitherSignal() aborts with the second source's reason", () => {
  const client = new AbortController();
  const cancel = new AbortController();
  const signal = eitherSignal(client.signal, cancel.signal);
  const heard: unknown[] = [];
  signal.addEventListener("abort", () => heard.push(signal.reason));

  cancel.abort("cancelled");
  client.abort("client left");

  assert.deepEqual(heard, ["cancelled"]);
});

Deno.test("eitherSignal() is aborted at once when a source already is", () => {
  const cancel = new AbortController();
  cancel.abort("cancelled");

  const signal = eitherSignal(new AbortController().signal, cancel.signal);

  assert.equal(signal.aborted, true);
  assert.equal(signal.reason, "cancelled");
});

Deno.test("eitherSignal() stays quiet while neither source aborts", () => {
  const signal = eitherSignal(
    new AbortController().signal,
    new AbortController().signal,
  );

  assert.equal(signal.aborted, false);
});
