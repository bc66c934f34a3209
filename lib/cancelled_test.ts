import assert from "node:assert/strict";
import { abortAccount, Cancelled } from "./cancelled.ts";

Deno.test("abortAccount() names a deliberate cancel and otherwise the client leaving", () => {
  const cancelled = new AbortController();
  cancelled.abort(new Cancelled("cancelled through the API"));
  const left = new AbortController();
  left.abort();

  assert.equal(abortAccount(cancelled.signal), "cancelled through the API");
  assert.equal(abortAccount(left.signal), "client went away");
});
